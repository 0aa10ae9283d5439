// Leave (contract: Leave; ORG-8): refused for the owner and for the last member, with the
// crate's words and what to do instead, and no Leave button; a member leaves.

import assert from "node:assert/strict";
import { alert, flow, membersPath, onPage, openActions, signIn } from "../harness.mjs";

const leavePath = (organizationId) => `${membersPath(organizationId)}/leave`;

flow("org_8 the owner cannot leave: the crate's words, a Transfer ownership link, no button", async ({ page, server, a11y, shot }) => {
  await server.addMember("alice@example.com");
  const organizationId = server.setup.organization_id;
  await signIn(page, server, "owner@example.com", membersPath(organizationId));
  await onPage(page, "Members");
  const mine = await openActions(page, "owner@example.com");
  await mine.getByRole("link", { name: "Leave organization" }).click();
  await onPage(page, "Leave organization");
  assert.match(await alert(page), /is the owner and can't leave; transfer ownership first/i);
  await page.getByRole("link", { name: "Transfer ownership" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Leave organization" }).count(), 0);
  await a11y(page);
  await shot(page, "leave-refused");

  await page.getByRole("link", { name: "Transfer ownership" }).click();
  await onPage(page, "Members");
});

flow("org_8 the last member cannot leave: the crate's words, no button", async ({ page, server, a11y }) => {
  const organizationId = server.setup.organization_id;
  await signIn(page, server, "owner@example.com", leavePath(organizationId));
  await onPage(page, "Leave organization");
  assert.match(await alert(page), /is the only member and can't leave/i);
  assert.equal(await page.getByRole("button", { name: "Leave organization" }).count(), 0);
  await a11y(page);
});

flow("org_8 a member leaves and is left with no organization", async ({ page, server, a11y }) => {
  await server.addMember("alice@example.com");
  const organizationId = server.setup.organization_id;
  await signIn(page, server, "alice@example.com", membersPath(organizationId));
  await onPage(page, "Members");
  const mine = await openActions(page, "alice@example.com");
  await mine.getByRole("link", { name: "Leave organization" }).click();
  await onPage(page, "Leave organization");
  assert.equal(await page.getByRole("alert").count(), 0);
  await a11y(page);
  await page.getByRole("button", { name: "Leave organization" }).click();
  // 303 /dashboard, which has no organization left to go to.
  await onPage(page, "Organizations");
  assert.match(await page.locator("main").innerText(), /You don't belong to any organization yet\./);
  const team = await server.api("GET", `/v1/organizations/${organizationId}/members`, { token: server.setup.user_token });
  assert.equal(team.status, 200);
  assert.ok(!JSON.stringify(team.json).includes("alice@example.com"), "alice is still listed");
});
