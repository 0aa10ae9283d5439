-- The reads a service makes beyond one stream: a customer by its external id within an
-- organization, and every member of an organization's customers (Polar's member list).
CREATE INDEX customers_external_id ON customers (organization_id, external_id) WHERE deleted = 0;
CREATE INDEX members_by_role ON members (customer_id, role) WHERE deleted = 0;
