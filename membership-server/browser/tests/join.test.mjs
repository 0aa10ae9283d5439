// The join link (contract: Join link; ORG-4, ORG-5): the invitation's mailed link sends a
// newcomer through sign-in (the account is made then) and back to accept; a used, declined
// or revoked invitation says so and offers no button.

import assert from "node:assert/strict";
import {
  codeIn, flow, hasCode, joinLink, memberRow, membersPath, onPage, organizationName,
} from "../harness.mjs";

/** Invites `email` over the API as the owner; the `/join/…` link mailed for it. */
async function invite(server, email) {
  const seen = server.mailNames();
  const invited = await server.api("POST", `/v1/organizations/${server.setup.organization_id}/members/invite`, {
    token: server.setup.user_token,
    body: { email },
  });
  assert.equal(invited.status, 201, JSON.stringify(invited.json));
  return { id: invited.json.id, link: await joinLink(server, email, seen) };
}

/** Follows `link` signed out: sign-in first, with the code from the newest mail, then back
 * on the join page. */
async function signInThrough(page, server, link, email) {
  await page.goto(link);
  await onPage(page, "Sign in");
  const login = new URL(page.url());
  assert.equal(login.pathname, "/login");
  assert.equal(login.searchParams.get("next"), new URL(link).pathname);
  await page.getByLabel("Email", { exact: true }).fill(email);
  const seen = server.mailNames();
  await page.getByRole("button", { name: "Send code" }).click();
  await onPage(page, "Check your email");
  await page.getByLabel("Code", { exact: true }).fill(codeIn(await server.mail(email, seen, hasCode)));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === new URL(link).pathname);
}

const noButtons = async (page) => {
  for (const name of ["Accept invitation", "Decline invitation"]) {
    assert.equal(await page.getByRole("button", { name, includeHidden: true }).count(), 0, `${name} is offered`);
  }
};

flow("org_4 a newcomer joins by the mailed link, signing in with an emailed code", async ({ page, server, a11y, shot }) => {
  const name = await organizationName(server);
  const { link } = await invite(server, "bob@example.com");
  assert.equal(new URL(link).origin, server.url, "the mailed link points at the public URL");
  await signInThrough(page, server, link, "bob@example.com");
  await onPage(page, `Join ${name}`);
  await page.getByRole("button", { name: "Decline invitation" }).waitFor();
  await a11y(page);
  await shot(page, "join");
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await onPage(page, "Members");
  assert.equal(new URL(page.url()).pathname, membersPath(server.setup.organization_id));
  const mine = await memberRow(page, "bob@example.com").innerText();
  assert.match(mine, /\(you\)/);
  assert.match(mine, /Member/);

  // The link again: already accepted, nothing to press.
  await page.goto(link);
  assert.match(await page.locator("main").innerText(), /was already accepted\./);
  await noButtons(page);
});

flow("org_4 a declined or revoked invitation says so and offers no button", async ({ page, server, a11y }) => {
  const name = await organizationName(server);
  const declined = await invite(server, "carol@example.com");
  await signInThrough(page, server, declined.link, "carol@example.com");
  await onPage(page, `Join ${name}`);
  await page.getByRole("button", { name: "Decline invitation" }).click();
  await page.goto(declined.link);
  assert.match(await page.locator("main").innerText(), /was declined\./);
  await noButtons(page);
  await a11y(page);

  const revoked = await invite(server, "carol@example.com");
  const answer = await server.api(
    "POST",
    `/v1/organizations/${server.setup.organization_id}/invitations/${revoked.id}/revoke`,
    { token: server.setup.user_token },
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  await page.goto(revoked.link);
  assert.match(await page.locator("main").innerText(), /was revoked\./);
  await noButtons(page);
});
