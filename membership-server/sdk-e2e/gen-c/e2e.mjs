// Generation C: @polar-sh/sdk 1.0.1, what `npm install @polar-sh/sdk` installs today,
// against membership-server in each of its three dated API versions (entry points
// `@polar-sh/sdk/2026-04`, `/2026-10`, `/2027-01`; each request carries `Polar-Version`).
// Per version: every customers call (an individual and a team customer), every
// customers.members call, a customer session minted with a user token
// that names its organization (`organizationId` → `Polar-Organization`), the session's
// introspection and every customer-portal member call. Then every webhook is checked with
// each version's own validateEvent.

import assert from "node:assert/strict";

import * as v2026_04 from "@polar-sh/sdk/2026-04";
import * as v2026_10 from "@polar-sh/sdk/2026-10";
import * as v2027_01 from "@polar-sh/sdk/2027-01";

import { start, tally, waitFor } from "../harness.mjs";

const versions = { "2026-04": v2026_04, "2026-10": v2026_10, "2027-01": v2027_01 };
const harness = await start();
const { setup, serverURL } = harness;
const calls = tally("gen-c (@polar-sh/sdk 1.0.1, three API versions)");
const status = (code) => (error) => error?.statusCode === code;
let failed = false;
try {
  const customerId = setup.customer_id;
  const external = "cus_e2e";
  for (const [version, sdk] of Object.entries(versions)) {
    const tag = (name) => `${version} ${name}`;
    const polar = sdk.createPolar({ accessToken: setup.organization_token, baseUrl: serverURL });
    // The server answers in the version asked for, and says so.
    const echoed = await fetch(`${serverURL}/v1/customers/${customerId}/members`, {
      headers: { Authorization: `Bearer ${setup.organization_token}`, "Polar-Version": version },
    });
    assert.equal(echoed.headers.get("polar-version"), version);

    const a = await calls.call(tag("customers.members.create"), async () => {
      const member = await polar.customers.members.create(customerId, { email: `a-${version}@example.com`, name: "A", external_id: `a_${version}` });
      assert.equal(member.customer_id, customerId);
      return member;
    });
    const b = await calls.call(tag("customers.members.createExternal"), () =>
      polar.customers.members.createExternal(external, { email: `b-${version}@example.com`, external_id: `b_${version}` }),
    );
    await calls.call(tag("customers.members.list"), async () => {
      const page = await polar.customers.members.list(customerId, { limit: 2, sorting: ["created_at"] });
      assert.equal(page.items.length, 2);
      assert.equal(page.items[0].id, setup.member_id, "oldest first: the owner");
    });
    await calls.call(tag("customers.members.iterList"), async () => {
      const seen = [];
      for await (const member of polar.customers.members.iterList(customerId, { limit: 2 })) seen.push(member.id);
      assert.ok(seen.includes(a.id) && seen.includes(b.id));
      assert.equal(new Set(seen).size, seen.length);
    });
    await calls.call(tag("customers.members.listExternal"), async () => {
      const page = await polar.customers.members.listExternal(external, { role: "owner" });
      assert.deepEqual(page.items.map((member) => member.id), [setup.member_id]);
    });
    await calls.call(tag("customers.members.iterListExternal"), async () => {
      const seen = [];
      for await (const member of polar.customers.members.iterListExternal(external, { limit: 1 })) seen.push(member.id);
      assert.equal(seen.length, 3, "the owner, A and B: earlier versions removed theirs");
    });
    await calls.call(tag("customers.members.get"), async () => {
      assert.deepEqual(await polar.customers.members.get(customerId, a.id), a);
    });
    await calls.call(tag("customers.members.update"), async () => {
      assert.equal((await polar.customers.members.update(customerId, a.id, { name: "A2" })).name, "A2");
    });
    await calls.call(tag("customers.members.getExternal"), async () => {
      assert.equal((await polar.customers.members.getExternal(external, `b_${version}`)).id, b.id);
    });
    await calls.call(tag("customers.members.updateExternal"), async () => {
      const updated = await polar.customers.members.updateExternal(external, `b_${version}`, { role: "billing_manager" });
      assert.equal(updated.role, "billing_manager");
    });

    // Customers: an individual one and a team with its owner, read, listed, changed and
    // deleted by id and by external id.
    const solo = await calls.call(tag("customers.create (individual)"), async () => {
      const customer = await polar.customers.create({ email: `solo-${version}@example.com`, external_id: `solo_${version}` });
      assert.equal(customer.type, "individual");
      return customer;
    });
    const team = await calls.call(tag("customers.create (team with its owner)"), async () => {
      const customer = await polar.customers.create({
        type: "team",
        name: `Team ${version}`,
        external_id: `team_${version}`,
        owner: { email: `boss-${version}@example.com`, name: "Boss" },
      });
      assert.equal(customer.type, "team");
      const members = await polar.customers.members.list(customer.id, {});
      assert.deepEqual(members.items.map((member) => member.role), ["owner"]);
      return customer;
    });
    await calls.call(tag("customers.get"), async () => {
      assert.equal((await polar.customers.get(solo.id)).email, `solo-${version}@example.com`);
    });
    await calls.call(tag("customers.getExternal"), async () => {
      assert.equal((await polar.customers.getExternal(`team_${version}`)).id, team.id);
    });
    await calls.call(tag("customers.list"), async () => {
      const page = await polar.customers.list({ email: `solo-${version}@example.com` });
      assert.deepEqual(page.items.map((customer) => customer.id), [solo.id]);
    });
    await calls.call(tag("customers.iterList"), async () => {
      const seen = [];
      for await (const customer of polar.customers.iterList({ limit: 2 })) seen.push(customer.id);
      assert.ok(seen.includes(solo.id) && seen.includes(team.id) && seen.includes(customerId));
    });
    await calls.call(tag("customers.update"), async () => {
      assert.equal((await polar.customers.update(solo.id, { email: `solo2-${version}@example.com` })).email, `solo2-${version}@example.com`);
    });
    await calls.call(tag("customers.updateExternal"), async () => {
      const updated = await polar.customers.updateExternal(`team_${version}`, { email: `billing-${version}@example.com` });
      assert.equal(updated.email, `billing-${version}@example.com`);
    });
    await calls.call(tag("customers.delete"), () => polar.customers.delete(solo.id));
    await calls.call(tag("customers.deleteExternal"), () => polar.customers.deleteExternal(`team_${version}`));
    await calls.rejects(tag("customers.get of a deleted customer → 404"), () => polar.customers.get(solo.id), status(404));

    // A session for the customer's owner, minted by the owner's user token acting in the
    // organization it names.
    const asUser = sdk.createPolar({ accessToken: setup.user_token, baseUrl: serverURL, organizationId: setup.organization_id });
    const session = await calls.call(tag("customerSessions.create"), async () => {
      const created = await asUser.customerSessions.create({ customer_id: customerId, member_id: setup.member_id, return_url: "https://example.com/account" });
      assert.ok(created.token.startsWith("polar_mst_"));
      assert.equal(created.customer.id, customerId);
      assert.ok(Date.parse(created.expires_at) > Date.now());
      return created;
    });
    await calls.rejects(
      tag("customerSessions.create for a member of another customer → 422"),
      () => polar.customerSessions.create({ customer_id: setup.individual_customer_id, member_id: a.id }),
      status(422),
    );
    await calls.rejects(
      tag("customerSessions.create for a team customer without its member → 422"),
      () => polar.customerSessions.create({ customer_id: customerId }),
      status(422),
    );
    const portal = sdk.createPolar({ accessToken: session?.token, baseUrl: serverURL });
    await calls.call(tag("customerPortal.customerSession.introspect"), async () => {
      const introspection = await portal.customerPortal.customerSession.introspect();
      assert.deepEqual(introspection, { expires_at: session.expires_at, return_url: "https://example.com/account" });
    });
    await calls.call(tag("customerPortal.members.listMembers"), async () => {
      const page = await portal.customerPortal.members.listMembers({ limit: 2 });
      assert.equal(page.items.length, 2);
    });
    await calls.call(tag("customerPortal.members.iterListMembers"), async () => {
      const seen = [];
      for await (const member of portal.customerPortal.members.iterListMembers({ limit: 2 })) seen.push(member.id);
      assert.ok(seen.includes(a.id) && seen.includes(b.id));
    });
    const c = await calls.call(tag("customerPortal.members.addMember"), () =>
      portal.customerPortal.members.addMember({ email: `c-${version}@example.com` }),
    );
    await calls.call(tag("customerPortal.members.updateMember"), async () => {
      assert.equal((await portal.customerPortal.members.updateMember(c.id, { role: "billing_manager" })).role, "billing_manager");
    });
    await calls.call(tag("customerPortal.members.removeMember"), () => portal.customerPortal.members.removeMember(c.id));
    await calls.call(tag("customers.members.deleteExternal"), () => polar.customers.members.deleteExternal(external, `b_${version}`));
    await calls.call(tag("customers.members.delete"), () => polar.customers.members.delete(customerId, a.id));
    await calls.rejects(tag("customers.members.get of a deleted member → 404"), () => polar.customers.members.get(customerId, a.id), status(404));
    await calls.rejects(
      tag("customers.members.create with a bad email → 422"),
      () => polar.customers.members.create(customerId, { email: "not an email" }),
      status(422),
    );
  }

  // Every webhook passes each version's validateEvent.
  const removals = 3 * Object.keys(versions).length;
  // Deliveries run in parallel and in no fixed order: wait for every one expected.
  const seen = (type) => harness.received.filter((hook) => hook.body.includes(`"${type}"`)).length;
  const customers = 2 * Object.keys(versions).length;
  await waitFor(
    "every member.created, member.deleted, customer.created and customer.deleted webhook",
    () =>
      seen("member.created") >= 2 + removals + customers &&
      seen("member.deleted") >= removals + customers &&
      seen("customer.created") >= 2 + customers &&
      seen("customer.deleted") >= customers,
  );
  for (const [version, sdk] of Object.entries(versions)) {
    const events = await Promise.all(harness.received.map((hook) => sdk.webhooks.validateEvent(hook.body, hook.headers, setup.webhook_secret)));
    const count = (type) => events.filter((event) => event.type === type).length;
    assert.equal(count("member.created"), 2 + removals + customers, `${version}: both owners, three members and two customer owners a version`);
    assert.equal(count("member.deleted"), removals + 2 * Object.keys(versions).length, "three a version, and the two customers' owners");
    assert.equal(count("customer.created"), 2 + 2 * Object.keys(versions).length, "setup's two, and two a version");
    assert.equal(count("customer.deleted"), 2 * Object.keys(versions).length);
    console.log(`ok - ${version}: ${events.length} webhooks verified with validateEvent`);
  }
} catch (error) {
  failed = true;
  console.error("not ok -", error);
} finally {
  if (!calls.summary()) failed = true;
  const code = await harness.stop();
  if (code !== 0) {
    failed = true;
    console.error(`not ok - the server did not shut down cleanly on SIGTERM (exit ${code})`);
  }
}
process.exit(failed ? 1 : 0);
