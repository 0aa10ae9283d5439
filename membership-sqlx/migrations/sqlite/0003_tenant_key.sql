-- Every row carries its tenant: members and journal entries gain `organization_id` (the
-- organization-wide member list reads an index instead of every customer's members), and
-- the customer row counts its active members (a list's total is one row read at any size).
ALTER TABLE members ADD COLUMN organization_id TEXT NOT NULL DEFAULT '';
UPDATE members SET organization_id = (SELECT c.organization_id FROM customers c WHERE c.id = members.customer_id);
ALTER TABLE customers ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
UPDATE customers SET member_count =
    (SELECT COUNT(*) FROM members m WHERE m.customer_id = customers.id AND m.deleted = 0);
ALTER TABLE journal ADD COLUMN organization_id TEXT NOT NULL DEFAULT '';
UPDATE journal SET organization_id = stream_id WHERE aggregate = 'organization';
UPDATE journal SET organization_id = (SELECT c.organization_id FROM customers c WHERE c.id = journal.stream_id)
    WHERE aggregate = 'customer';
-- Polar's organization-wide list, newest first, and its role filter.
CREATE INDEX members_organization_newest ON members (organization_id, created_at DESC, id) WHERE deleted = 0;
CREATE INDEX members_organization_role ON members (organization_id, role, created_at DESC, id) WHERE deleted = 0;
