-- IMIconnect profiles linked to a customer's master profile (its InwardLinks): application
-- profiles (a mobile app registration: userId, deviceId, pushId…) are shown from
-- showinwardlinks=1, channel profiles (Facebook, Twitter…) only in the full profile (2).
create table customer_linked_profiles (
  org_id text not null,
  customer_id uuid not null,
  profile_id text not null,
  profile_name text not null,
  kind text not null check (kind in ('application', 'channel')),
  -- Each record of the linked profile as a JSON array of {Name, Value, ID}.
  records jsonb not null check (jsonb_typeof(records) = 'array'),
  primary key (customer_id, profile_id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);
