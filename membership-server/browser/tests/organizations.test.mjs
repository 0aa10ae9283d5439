// The organization picker (contract: Organization picker): a user in two organizations
// opens one from /dashboard/organizations, switches with the header's picker, and
// /dashboard remembers the last; a user in none is told so.

import assert from "node:assert/strict";
import { flow, membersPath, onPage, organizationName, signIn } from "../harness.mjs";

flow("org switch: the picker page, the header's picker, /dashboard remembers", async ({ page, server, newPage, a11y, shot }) => {
  const first = { id: server.setup.organization_id, name: await organizationName(server) };
  const created = await server.api("POST", "/v1/organizations/", {
    token: server.setup.user_token,
    body: { name: "Second Org", slug: "second-org" },
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const second = { id: created.json.id, name: "Second Org" };
  await server.addMember("alice@example.com", "admin", { organizationId: second.id });
  // A user in one organization, with nothing chosen yet, goes straight to it (the pages
  // skip a picker with one choice).
  await signIn(page, server, "alice@example.com", "/dashboard");
  await onPage(page, "Members");
  assert.equal(new URL(page.url()).pathname, membersPath(second.id));

  // The owner, in two with nothing chosen yet, gets the picker: both, with the role in each.
  const owner = await newPage();
  await signIn(owner, server, "owner@example.com", "/dashboard");
  await onPage(owner, "Organizations");
  for (const organization of [first, second]) {
    const row = owner.locator("tr, li").filter({ hasText: organization.name });
    assert.match(await row.first().innerText(), /Owner/);
    await row.first().getByRole("button", { name: "Open" }).waitFor();
  }
  await a11y(owner);
  await shot(owner, "organizations");

  await owner.locator("tr, li").filter({ hasText: second.name }).first().getByRole("button", { name: "Open" }).click();
  await onPage(owner, "Members");
  assert.equal(new URL(owner.url()).pathname, membersPath(second.id));
  await owner.getByText("alice@example.com").first().waitFor();

  // The header's picker: "Name — Role" options, the current one selected.
  const picker = owner.getByLabel("Organization", { exact: true });
  assert.equal(await picker.inputValue(), second.id);
  const options = await picker.locator("option").allInnerTexts();
  assert.deepEqual(options.map((text) => text.trim()).sort(), [`${first.name} — Owner`, `${second.name} — Owner`].sort());
  await picker.selectOption({ label: `${first.name} — Owner` });
  await owner.getByRole("button", { name: "Switch" }).click();
  await onPage(owner, "Members");
  assert.equal(new URL(owner.url()).pathname, membersPath(first.id));
  assert.equal(await owner.getByText("alice@example.com").count(), 0, "the first organization's list shows the second's member");

  // /dashboard goes to the organization chosen last.
  await owner.goto(`${server.url}/dashboard`);
  await onPage(owner, "Members");
  assert.equal(new URL(owner.url()).pathname, membersPath(first.id));
});

flow("a user in no organization is told so", async ({ page, server, a11y }) => {
  await signIn(page, server, "nobody@example.com", "/dashboard");
  await onPage(page, "Organizations");
  assert.match(await page.locator("main").innerText(), /You don't belong to any organization yet\./);
  assert.equal(await page.getByLabel("Organization", { exact: true }).count(), 0);
  await a11y(page);
});
