// Transfer ownership (contract: Offer ownership, the members page's offer notices; ORG-10):
// refused to an unverified member with the crate's words; offered to a verified one, who
// accepts; the old owner becomes Admin.

import assert from "node:assert/strict";
import { flow, memberRow, membersPath, notice, onPage, openActions, organizationName, signIn } from "../harness.mjs";

flow("org_10 ownership is offered to a verified member and accepted; the old owner is Admin", async ({ page, server, newPage, a11y }) => {
  await server.addMember("alice@example.com");
  const organizationId = server.setup.organization_id;
  const name = await organizationName(server);
  await signIn(page, server, "owner@example.com", membersPath(organizationId));
  await onPage(page, "Members");

  // Not verified yet: the crate's refusal by the button.
  let row = await openActions(page, "alice@example.com");
  await row.getByRole("link", { name: "Offer ownership" }).click();
  await onPage(page, "Transfer ownership");
  await a11y(page);
  await page.getByRole("button", { name: "Offer ownership" }).click();
  await onPage(page, "Transfer ownership");
  const refusal = page.getByRole("alert").first();
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /must complete identity verification/i);

  // Verified by the operator (ORG-10's fact), the offer goes through.
  server.cli("users", "verify", "alice@example.com");
  await page.goto(`${server.url}${membersPath(organizationId)}`);
  row = await openActions(page, "alice@example.com");
  await row.getByRole("link", { name: "Offer ownership" }).click();
  await onPage(page, "Transfer ownership");
  await page.getByRole("button", { name: "Offer ownership" }).click();
  await onPage(page, "Members");
  await notice(page);
  assert.match(await page.locator("main").innerText(), /Ownership offered to alice@example\.com until /);
  await page.getByRole("button", { name: "Revoke offer" }).waitFor();
  await a11y(page);

  // The recipient sees the offer and accepts it.
  const alice = await newPage();
  await signIn(alice, server, "alice@example.com", membersPath(organizationId));
  await onPage(alice, "Members");
  assert.match(await alice.locator("main").innerText(), new RegExp(`You've been offered ownership of ${name}\\b[^\\n]*\\.`));
  await alice.getByRole("button", { name: "Decline ownership" }).waitFor();
  await a11y(alice);
  await alice.getByRole("button", { name: "Accept ownership" }).click();
  await onPage(alice, "Members");
  assert.match(await memberRow(alice, "alice@example.com").innerText(), /Owner/);
  assert.match(await memberRow(alice, "owner@example.com").innerText(), /Admin/);

  // The old owner's page now says Admin, and offers no transfer.
  await page.reload();
  await onPage(page, "Members");
  assert.match(await memberRow(page, "owner@example.com").innerText(), /Admin/);
  assert.equal(await page.getByRole("link", { name: "Offer ownership", includeHidden: true }).count(), 0);
});
