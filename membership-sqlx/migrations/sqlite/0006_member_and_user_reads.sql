-- Reads a service makes without the customer or the organization in hand: an active member
-- by its id within its organization (Polar's oldest SDK addresses members as
-- `/v1/members/{id}`), and the organizations a user belongs to (a user token names one
-- with `Polar-Organization`, and must when there are several).
CREATE INDEX members_organization_id ON members (organization_id, id) WHERE deleted = 0;
CREATE INDEX memberships_user ON memberships (user_id);
