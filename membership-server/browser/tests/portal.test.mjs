// The customer portal's Team page (contract: Customer portal Team page; CUS-8): a
// customer session's portal link signs in by cookie; owners and billing managers add,
// re-role and remove members; a plain member only reads.

import assert from "node:assert/strict";
import { flow, onPage, table } from "../harness.mjs";

/** A portal session for member `memberId` of setup's team customer; its portal link. */
async function portalLink(server, memberId) {
  const session = await server.api("POST", "/v1/customer-sessions/", {
    token: server.setup.organization_token,
    body: { customer_id: server.setup.customer_id, member_id: memberId },
  });
  assert.equal(session.status, 201, JSON.stringify(session.json));
  const url = new URL(session.json.customer_portal_url);
  assert.equal(url.searchParams.get("customer_session_token"), session.json.token);
  assert.equal(`${url.origin}${url.pathname}`, `${server.url}/portal`, "customer_portal_url is this service's /portal");
  return session.json.customer_portal_url;
}

/** Adds a member with `role` to setup's team customer over the API; its id. */
async function addCustomerMember(server, email, role) {
  const added = await server.api("POST", `/v1/customers/${server.setup.customer_id}/members`, {
    token: server.setup.organization_token,
    body: { email, role },
  });
  assert.equal(added.status, 201, JSON.stringify(added.json));
  return added.json.id;
}

const row = (page, email) => table(page, "Members").getByRole("row").filter({ hasText: email });

/** Opens the Team page through `link`: the cookie is set and the token leaves the address. */
async function openTeam(page, link) {
  await page.goto(link);
  await onPage(page, "Team");
  assert.equal(new URL(page.url()).pathname, "/portal/team");
  assert.equal(new URL(page.url()).search, "", "the session token stays in the address bar");
  const cookie = (await page.context().cookies()).find((found) => found.name === "membership_portal");
  assert.ok(cookie, "no membership_portal cookie");
  assert.equal(cookie.httpOnly, true);
}

/** Add, change the role of, and remove `email`, as a manager of the team. */
async function manage(page, email) {
  const add = page.locator("form").filter({ has: page.getByRole("button", { name: "Add member" }) });
  await add.getByLabel("Email", { exact: true }).fill(email);
  await add.getByLabel("Name", { exact: true }).fill("New Person");
  await add.getByLabel("Role", { exact: true }).selectOption("member");
  await add.getByRole("button", { name: "Add member" }).click();
  await onPage(page, "Team");
  const added = row(page, email);
  await added.waitFor();
  assert.match(await added.innerText(), /New Person/);

  await added.getByRole("combobox").selectOption("billing_manager");
  await added.getByRole("button", { name: "Save" }).click();
  await onPage(page, "Team");
  assert.equal(await row(page, email).getByRole("combobox").inputValue(), "billing_manager");

  // Remove is a link to the confirmation page (the contract leaves link or button open).
  await row(page, email).getByRole("link", { name: "Remove" }).click();
  await page.getByRole("button", { name: "Remove member" }).waitFor();
  await page.getByRole("button", { name: "Remove member" }).click();
  await onPage(page, "Team");
  assert.equal(await row(page, email).count(), 0);
}

flow("cus_8 the portal team page as the customer's owner: add, change role, remove", async ({ page, server, a11y, shot }) => {
  await addCustomerMember(server, "bill@example.com", "billing_manager");
  await openTeam(page, await portalLink(server, server.setup.member_id));
  for (const email of ["customer@example.com", "bill@example.com"]) await row(page, email).waitFor();
  const header = await table(page, "Members").getByRole("row").first().innerText();
  for (const name of ["Name", "Email", "Role"]) assert.match(header, new RegExp(name));
  await a11y(page);
  await shot(page, "portal-team-owner");
  await manage(page, "new@example.com");
  await a11y(page);
});

flow("cus_8 the portal team page as a billing manager: add, change role, remove", async ({ page, server, a11y }) => {
  const billing = await addCustomerMember(server, "bill@example.com", "billing_manager");
  await openTeam(page, await portalLink(server, billing));
  await row(page, "customer@example.com").waitFor();
  await a11y(page);
  await manage(page, "new@example.com");
});

flow("cus_8 the portal team page as a plain member: the crate's refusal and their own profile", async ({ page, server, a11y, shot }) => {
  await addCustomerMember(server, "bill@example.com", "billing_manager");
  const member = await addCustomerMember(server, "mem@example.com", "member");
  await openTeam(page, await portalLink(server, member));
  // CUS-8: a plain member may not manage (nor list) the team: the page says so in the
  // crate's words, and shows the member's own profile.
  assert.match(await page.getByRole("alert").first().innerText(), /\S/);
  const main = await page.locator("main").innerText();
  assert.match(main, /mem@example\.com/);
  assert.ok(!main.includes("bill@example.com"), "a plain member is shown the other members");
  for (const name of ["Add member", "Save", "Remove member"]) {
    assert.equal(await page.getByRole("button", { name, includeHidden: true }).count(), 0, `a member is offered ${name}`);
  }
  assert.equal(await page.getByRole("link", { name: "Remove", includeHidden: true }).count(), 0);
  assert.equal(await page.getByRole("combobox", { includeHidden: true }).count(), 0);
  const forms = page.locator("main form").filter({ hasNot: page.getByRole("button", { name: "Sign out" }) });
  assert.equal(await forms.count(), 0, "a plain member is offered a form besides Sign out");
  await a11y(page);
  await shot(page, "portal-team-member");
});
