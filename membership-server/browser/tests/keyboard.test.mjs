// The keyboard alone (Tab, Enter, Space): focus reaches every control of the members page,
// each row's Actions opened by Enter on its summary, and an invitation is sent and resent
// without the mouse.

import assert from "node:assert/strict";
import { flow, membersPath, notice, onPage, signIn } from "../harness.mjs";

/** What can take focus on these pages. */
const CONTROLS = 'a[href], button, input:not([type="hidden"]), select, textarea, summary';

/** The focused control: its index among the page's controls, and what it is called. */
const focused = (page) =>
  page.locator("html").evaluate((root, selector) => {
    const all = [...root.querySelectorAll(selector)];
    const element = root.ownerDocument.activeElement;
    const index = all.indexOf(element);
    if (index < 0) return { index };
    const label = element.labels?.[0]?.textContent ?? element.getAttribute("aria-label") ?? element.textContent;
    const details = element.tagName === "SUMMARY" ? element.parentElement : null;
    return { index, name: label.replace(/\s+/g, " ").trim(), closed: details ? !details.open : false };
  }, CONTROLS);

/** Every control a person can see, by index, with its name. */
const visibleControls = (page) =>
  page.locator("html").evaluate((root, selector) =>
    [...root.querySelectorAll(selector)]
      .map((element, index) => ({ index, visible: element.checkVisibility(), name: element.textContent.replace(/\s+/g, " ").trim() || element.getAttribute("name") }))
      .filter((control) => control.visible),
  CONTROLS);

/** Tabs until the focused control's name starts with `name` (a button may name its row:
 * "Resend the invitation to …"); fails after `limit` presses. */
async function tabTo(page, name, limit = 80) {
  for (let press = 0; press < limit; press += 1) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    if (now.name?.startsWith(name)) return;
  }
  assert.fail(`Tab never reached ${name}`);
}

flow("keyboard only: focus reaches every control; invite and resend by Tab, Enter and Space", async ({ page, server, a11y }) => {
  await server.addMember("alice@example.com");
  const organizationId = server.setup.organization_id;
  const invited = await server.api("POST", `/v1/organizations/${organizationId}/members/invite`, {
    token: server.setup.user_token,
    body: { email: "bob@example.com" },
  });
  assert.equal(invited.status, 201);
  await signIn(page, server, "owner@example.com", membersPath(organizationId));
  await onPage(page, "Members");

  // Walk the page with Tab, opening each closed Actions disclosure with Enter.
  const reached = new Set();
  for (let press = 0; press < 200; press += 1) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    if (now.index < 0) {
      if (reached.size > 0) break;
      continue;
    }
    reached.add(now.index);
    if (now.closed) await page.keyboard.press("Enter");
  }
  const missed = (await visibleControls(page)).filter((control) => !reached.has(control.index));
  assert.deepEqual(missed, [], "controls the keyboard never reached");
  await a11y(page);

  // Invite: Tab to the field, type, Tab to the button, Space.
  await page.reload();
  await onPage(page, "Members");
  await tabTo(page, "Email address");
  await page.keyboard.type("carol@example.com");
  await page.keyboard.press("Tab");
  assert.equal((await focused(page)).name, "Send Invite");
  await page.keyboard.press("Space");
  assert.equal(await notice(page), "Invitation sent to carol@example.com.");

  // Resend bob's invitation: Tab to the first Resend (bob's is the older), Enter.
  await tabTo(page, "Resend");
  await page.keyboard.press("Enter");
  assert.match(await notice(page), /^Invitation to (bob|carol)@example\.com resent\.$/);
});
