-- Every row carries its tenant, and every unique key includes it, so each table can be
-- distributed by `organization_id` on a sharded PostgreSQL (Citus: `organizations` by `id`,
-- every other table by `organization_id`, all co-located). Members and journal entries
-- gain the column (the organization-wide member list reads an index instead of every
-- customer's members), and the customer row counts its active members (a list's total is
-- one row read at any size).
ALTER TABLE members ADD COLUMN organization_id TEXT;
UPDATE members m SET organization_id = c.organization_id FROM customers c WHERE c.id = m.customer_id;
ALTER TABLE members ALTER COLUMN organization_id SET NOT NULL;
ALTER TABLE customers ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE customers c SET member_count = (SELECT COUNT(*) FROM members m WHERE m.customer_id = c.id AND m.deleted = 0);
ALTER TABLE journal ADD COLUMN organization_id TEXT;
UPDATE journal SET organization_id = stream_id WHERE aggregate = 'organization';
UPDATE journal j SET organization_id = c.organization_id FROM customers c
    WHERE j.aggregate = 'customer' AND c.id = j.stream_id;
ALTER TABLE journal ALTER COLUMN organization_id SET NOT NULL;

-- Keys that include the tenant, as a distributed table's unique keys must. It comes last,
-- so every lookup by customer or stream keeps using the same index.
ALTER TABLE members DROP CONSTRAINT members_customer_id_fkey;
ALTER TABLE members DROP CONSTRAINT members_pkey;
ALTER TABLE customers DROP CONSTRAINT customers_pkey;
ALTER TABLE customers ADD PRIMARY KEY (id, organization_id);
ALTER TABLE members ADD PRIMARY KEY (customer_id, id, organization_id);
ALTER TABLE members ADD FOREIGN KEY (customer_id, organization_id) REFERENCES customers (id, organization_id);
DROP INDEX members_one_owner;
DROP INDEX members_email;
DROP INDEX members_external_id;
CREATE UNIQUE INDEX members_one_owner ON members (customer_id, organization_id) WHERE role = 'owner' AND deleted = 0;
CREATE UNIQUE INDEX members_email ON members (customer_id, email_folded, organization_id) WHERE deleted = 0;
CREATE UNIQUE INDEX members_external_id ON members (customer_id, external_id, organization_id)
    WHERE deleted = 0 AND external_id IS NOT NULL;
ALTER TABLE journal DROP CONSTRAINT journal_pkey;
ALTER TABLE journal ADD PRIMARY KEY (aggregate, stream_id, version, organization_id);

-- Polar's organization-wide list, newest first, and its role filter.
CREATE INDEX members_organization_newest ON members (organization_id, created_at DESC, id) WHERE deleted = 0;
CREATE INDEX members_organization_role ON members (organization_id, role, created_at DESC, id) WHERE deleted = 0;
