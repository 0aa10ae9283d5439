// Polar's own TypeScript SDK (@polar-sh/sdk 0.49) against membership-server, end to end.
//
// Starts a webhook receiver, sets up an organization with the server's `setup` command,
// starts the server on a free port, drives the member API through the SDK (create, list
// across pages, get, rename, promote to owner, delete, and the SDK's typed errors), then
// checks every webhook the server delivered with the SDK's own `validateEvent`.
//
// MEMBERSHIP_SERVER_BIN names the server binary (run.sh builds it).

import assert from "node:assert/strict";

import { Polar } from "@polar-sh/sdk";
import { HTTPValidationError } from "@polar-sh/sdk/models/errors/httpvalidationerror.js";
import { NotPermitted } from "@polar-sh/sdk/models/errors/notpermitted.js";
import { ResourceNotFound } from "@polar-sh/sdk/models/errors/resourcenotfound.js";
import { validateEvent } from "@polar-sh/sdk/webhooks";

import { start, waitFor } from "./harness.mjs";

// The receiver, `setup` and the server, as every generation's suite starts them
// (MEMBERSHIP_E2E_DATABASE_URL: another database than a temporary SQLite file).
const { setup, serverURL, received, stop } = await start();

let failed = false;
try {
  const polar = new Polar({ accessToken: setup.organization_token, serverURL });
  const customerId = setup.customer_id;
  let steps = 0;
  const step = (name) => console.log(`ok ${++steps} - ${name}`);

  // Create through customers.members.create.
  const created = [];
  for (let n = 0; n < 7; n++) {
    created.push(
      await polar.customers.members.create({
        id: customerId,
        memberCreateFromCustomer: { email: `member${n}@example.com`, name: `Member ${n}`, externalId: `ext_${n}` },
      }),
    );
  }
  assert.equal(created[0].customerId, customerId);
  assert.equal(created[0].role, "member");
  assert.ok(created[0].createdAt instanceof Date);
  step("customers.members.create, seven times");

  // List through the SDK's page iterator, across several pages.
  const pages = await polar.members.listMembers({ customerId, limit: 3 });
  const seen = [];
  let pageCount = 0;
  for await (const page of pages) {
    pageCount++;
    seen.push(...page.result.items.map((member) => member.id));
  }
  assert.equal(pageCount, 3, "8 members, 3 a page");
  assert.equal(new Set(seen).size, 8);
  for (const member of created) assert.ok(seen.includes(member.id));
  step("members.listMembers iterated across 3 pages");

  // Get, then update: rename, then promote to owner so ownership moves.
  const target = created[3];
  const got = await polar.customers.members.get({ id: customerId, memberId: target.id });
  assert.deepEqual(got, target);
  const renamed = await polar.customers.members.update({ id: customerId, memberId: target.id, memberUpdate: { name: "Renamed" } });
  assert.equal(renamed.name, "Renamed");
  const promoted = await polar.customers.members.update({ id: customerId, memberId: target.id, memberUpdate: { role: "owner" } });
  assert.equal(promoted.role, "owner");
  const formerOwner = await polar.customers.members.get({ id: customerId, memberId: setup.member_id });
  assert.notEqual(formerOwner.role, "owner", "ownership moved");
  const byExternal = await polar.customers.members.getExternal({ externalId: "cus_e2e", memberExternalId: "ext_3" });
  assert.equal(byExternal.id, target.id);
  step("get, rename, promote to owner (ownership moved), get by external ids");

  // Delete.
  const gone = created[5];
  await polar.customers.members.delete({ id: customerId, memberId: gone.id });
  step("delete");

  // The SDK's typed errors.
  await assert.rejects(polar.customers.members.get({ id: customerId, memberId: gone.id }), ResourceNotFound);
  await assert.rejects(
    polar.customers.members.create({ id: customerId, memberCreateFromCustomer: { email: "not an email" } }),
    (error) => error instanceof HTTPValidationError && error.detail?.[0]?.loc?.join(".") === "body.email",
  );
  await assert.rejects(
    polar.customers.members.create({ id: setup.individual_customer_id, memberCreateFromCustomer: { email: "second@example.com" } }),
    NotPermitted,
  );
  step("ResourceNotFound, HTTPValidationError (loc body.email), NotPermitted");

  // Every webhook the server delivered passes the SDK's validateEvent.
  // Deliveries run in parallel and in no fixed order: wait for every one expected.
  const delivered = (type) => received.filter((hook) => hook.body.includes(`"${type}"`)).length;
  await waitFor("nine member.created, three member.updated and the member.deleted webhook", () =>
    delivered("member.created") >= 9 && delivered("member.updated") >= 3 &&
    received.some((hook) => hook.body.includes("member.deleted") && hook.body.includes(gone.id)),
  );
  const events = received.map((hook) => validateEvent(hook.body, hook.headers, setup.webhook_secret));
  const count = (type) => events.filter((event) => event.type === type).length;
  assert.equal(count("member.created"), 9, "both customers' owners and seven members");
  assert.ok(count("member.updated") >= 3, "rename, and both sides of the ownership move");
  assert.equal(count("member.deleted"), 1);
  const ids = received.map((hook) => hook.headers["webhook-id"]);
  assert.equal(new Set(ids).size, ids.length, "one webhook-id per webhook");
  step(`${events.length} webhooks verified with validateEvent`);
  console.log(`1..${steps}`);
} catch (error) {
  failed = true;
  console.error("not ok -", error);
} finally {
  const code = await stop();
  if (code !== 0) {
    failed = true;
    console.error(`not ok - the server did not shut down cleanly on SIGTERM (exit ${code})`);
  }
}
process.exit(failed ? 1 : 0);
