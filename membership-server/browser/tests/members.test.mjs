// Settings → Members (contract: Settings → Members, Change role, Remove): invite with its
// three outcomes, change a role beside the permissions matrix, remove after a confirmation,
// and a plain member's read-only view.

import assert from "node:assert/strict";
import {
  flow, joinLink, memberRow, membersPath, notice, onPage, openActions, organizationName, signIn, submit, table,
} from "../harness.mjs";

flow("invite: sent, already a member, resent, revoked, and a malformed address", async ({ page, server, a11y, shot }) => {
  await server.addMember("alice@example.com");
  const organizationId = server.setup.organization_id;
  await signIn(page, server, "owner@example.com", membersPath(organizationId));
  await onPage(page, "Members");
  const own = memberRow(page, "owner@example.com");
  assert.match(await own.innerText(), /\(you\)/);
  assert.match(await own.innerText(), /Owner/);
  assert.match(await own.innerText(), /\d{4}-\d{2}-\d{2}/);
  // The Actions disclosure names its row.
  const summary = memberRow(page, "alice@example.com").locator("summary");
  const summaryName = (await summary.getAttribute("aria-label")) ?? (await summary.textContent());
  assert.equal(summaryName.replace(/\s+/g, " ").trim(), "Actions for alice@example.com");

  // A new address: invited, mailed, listed as pending.
  let seen = server.mailNames();
  await page.getByLabel("Email address", { exact: true }).fill("bob@example.com");
  await page.getByRole("button", { name: "Send Invite" }).click();
  assert.equal(await notice(page), "Invitation sent to bob@example.com.");
  const first = await joinLink(server, "bob@example.com", seen);
  const pending = table(page, "Pending invitations").getByRole("row").filter({ hasText: "bob@example.com" });
  await pending.waitFor();
  await a11y(page);
  await shot(page, "members-owner");

  // Someone already a member: no invitation, the membership shown.
  seen = server.mailNames();
  await page.getByLabel("Email address", { exact: true }).fill("alice@example.com");
  await page.getByRole("button", { name: "Send Invite" }).click();
  assert.equal(await notice(page), "alice@example.com is already a member (Member).");

  // Resend: the same invitation, mailed again.
  seen = server.mailNames();
  await pending.getByRole("button", { name: "Resend" }).click();
  assert.equal(await notice(page), "Invitation to bob@example.com resent.");
  assert.equal(await joinLink(server, "bob@example.com", seen), first);

  // Inviting a pending address again also resends.
  seen = server.mailNames();
  await page.getByLabel("Email address", { exact: true }).fill("bob@example.com");
  await page.getByRole("button", { name: "Send Invite" }).click();
  assert.equal(await notice(page), "Invitation to bob@example.com resent.");
  await joinLink(server, "bob@example.com", seen);

  // Revoke: gone from the pending table.
  await pending.getByRole("button", { name: "Revoke" }).click();
  await onPage(page, "Members");
  await page.getByRole("status").first().waitFor();
  assert.equal(await pending.count(), 0);

  // A malformed address: the error by the field, nothing sent.
  const field = page.getByLabel("Email address", { exact: true });
  await field.fill("nobody");
  await field.evaluate((input) => input.setAttribute("type", "text"));
  const refused = await submit(page, page.getByRole("button", { name: "Send Invite" }));
  assert.equal(refused.status(), 422);
  assert.equal(await field.getAttribute("aria-invalid"), "true");
  const described = await field.getAttribute("aria-describedby");
  assert.ok(described, "the error is not tied to the field");
  assert.equal(await page.locator(`[id="${described}"]`).getAttribute("role"), "alert");
  await a11y(page);
});

flow("change role: the radios beside the permissions matrix, saved", async ({ page, server, a11y, shot }) => {
  await server.addMember("alice@example.com");
  const organizationId = server.setup.organization_id;
  await signIn(page, server, "owner@example.com", membersPath(organizationId));
  await onPage(page, "Members");
  const row = await openActions(page, "alice@example.com");
  await row.getByRole("link", { name: "Change role" }).click();
  await onPage(page, "Change role");
  const role = page.getByRole("group", { name: "Role" });
  for (const name of ["Admin", "Finance", "Member"]) await role.getByRole("radio", { name, exact: true }).waitFor();
  assert.equal(await role.getByRole("radio").count(), 3, "Owner is not assignable (ORG-6)");
  assert.equal(await role.getByRole("radio", { name: "Member", exact: true }).isChecked(), true);
  const matrix = table(page, "What each role may do");
  await matrix.waitFor();
  const header = await matrix.getByRole("row").first().innerText();
  for (const name of ["Admin", "Finance", "Member"]) assert.match(header, new RegExp(name));
  assert.ok((await matrix.getByRole("row").count()) > 2, "the matrix has a row per permission group");
  await a11y(page);
  await shot(page, "change-role");

  await role.getByRole("radio", { name: "Admin", exact: true }).check();
  await page.getByRole("button", { name: "Save" }).click();
  await onPage(page, "Members");
  assert.equal(await notice(page), "alice@example.com is now Admin.");
  assert.match(await memberRow(page, "alice@example.com").innerText(), /Admin/);
});

flow("remove: a confirmation page, Cancel keeps the member, the button removes", async ({ page, server, a11y, shot }) => {
  const alice = await server.addMember("alice@example.com");
  const organizationId = server.setup.organization_id;
  const name = await organizationName(server);
  await signIn(page, server, "owner@example.com", membersPath(organizationId));
  await onPage(page, "Members");
  let row = await openActions(page, "alice@example.com");
  await row.getByRole("link", { name: "Remove from organization" }).click();
  await onPage(page, "Remove member");
  assert.match(await page.locator("main").innerText(), new RegExp(`Remove alice@example\\.com from ${name}\\?`));
  await a11y(page);
  await shot(page, "remove");

  await page.getByRole("link", { name: "Cancel" }).click();
  await onPage(page, "Members");
  await memberRow(page, "alice@example.com").waitFor();

  row = await openActions(page, "alice@example.com");
  await row.getByRole("link", { name: "Remove from organization" }).click();
  await onPage(page, "Remove member");
  await page.getByRole("button", { name: "Remove from organization" }).click();
  await onPage(page, "Members");
  assert.equal(await notice(page), "alice@example.com was removed.");
  assert.equal(await memberRow(page, "alice@example.com").count(), 0);
  // The removed member's own token no longer reads the organization (ORG-7).
  const read = await server.api("GET", `/v1/organizations/${organizationId}/members`, { token: alice.token });
  assert.notEqual(read.status, 200);
});

flow("a member sees the lists read-only; Finance may not see them", async ({ page, server, newPage, a11y, shot }) => {
  await server.addMember("alice@example.com");
  await server.addMember("fin@example.com", "finance");
  const organizationId = server.setup.organization_id;
  const invited = await server.api("POST", `/v1/organizations/${organizationId}/members/invite`, {
    token: server.setup.user_token,
    body: { email: "bob@example.com" },
  });
  assert.equal(invited.status, 201);

  await signIn(page, server, "alice@example.com", membersPath(organizationId));
  await onPage(page, "Members");
  await memberRow(page, "owner@example.com").waitFor();
  await table(page, "Pending invitations").getByRole("row").filter({ hasText: "bob@example.com" }).waitFor();
  assert.equal(await page.getByLabel("Email address").count(), 0);
  assert.equal(await page.getByRole("button", { name: "Send Invite" }).count(), 0);
  for (const email of ["owner@example.com", "fin@example.com"]) {
    const row = memberRow(page, email);
    if ((await row.locator("summary").count()) > 0) await openActions(page, email);
  }
  const mine = await openActions(page, "alice@example.com");
  await mine.getByRole("link", { name: "Leave organization" }).waitFor();
  for (const [role, name] of [
    ["link", "Change role"],
    ["link", "Remove from organization"],
    ["link", "Offer ownership"],
    ["button", "Resend"],
    ["button", "Revoke"],
  ]) {
    assert.equal(await page.getByRole(role, { name, includeHidden: true }).count(), 0, `a member is shown ${name}`);
  }
  await a11y(page);
  await shot(page, "members-member");

  const finance = await newPage();
  await signIn(finance, server, "fin@example.com", "/dashboard/organizations");
  const answer = await finance.goto(`${server.url}${membersPath(organizationId)}`);
  assert.equal(answer.status(), 403);
  assert.match(await finance.locator("main").innerText(), /You don't have permission to view members/);
});
