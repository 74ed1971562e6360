-- customer_identifiers → customers: the same referential integrity as the foreign key it
-- replaces, checked once per statement instead of once per row.
--
-- A foreign key checks each inserted row on its own: a look-up of the customer, and a FOR KEY
-- SHARE lock on it, each through a query of its own. For the six identifiers an imported
-- customer has, that was 46% of the time of a COPY into customer_identifiers, and 37% of
-- the physical reference of a customers import (docs/performance.md#imports). Here the
-- statement's rows are checked together: one join of the customers they name, locked FOR KEY
-- SHARE as a foreign key check locks them (a concurrent delete or re-key waits for this
-- transaction, then cascades to what it wrote). What the foreign key did, these triggers do:
--   insert or update of an identifier → its (org_id, customer_id) must be a customer of that
--     organisation (SQLSTATE 23503 otherwise);
--   delete of a customer → its identifiers are deleted (on delete cascade);
--   a customer's org_id or id changing while identifiers name the old pair → refused (23503);
--   truncate of customers → truncates customer_identifiers (it no longer counts as referencing).

do $$
declare
  fk text;
begin
  for fk in select conname from pg_constraint where conrelid = 'customer_identifiers'::regclass and contype = 'f' loop
    execute format('alter table customer_identifiers drop constraint %I', fk);
  end loop;
end;
$$;

-- Index look-ups by customer id whatever the statistics say: never a scan of a whole table per statement.
create function check_identifier_customers() returns trigger language plpgsql
set enable_seqscan = off
as $$
declare
  wanted bigint;
  found bigint;
begin
  select count(*) into wanted from (select distinct org_id, customer_id from new_rows) as w;
  select count(*) into found
  from (select c.org_id, c.id from customers c where c.id = any (array(select distinct customer_id from new_rows)) for key share of c) as c
  join (select distinct org_id, customer_id from new_rows) as w on w.org_id = c.org_id and w.customer_id = c.id;
  if found < wanted then
    raise exception 'insert or update on table "customer_identifiers" names a customer that is not of its organisation'
      using errcode = 'foreign_key_violation', table = 'customer_identifiers';
  end if;
  return null;
end;
$$;

create trigger customer_identifiers_customer_check_insert
  after insert on customer_identifiers referencing new table as new_rows
  for each statement execute function check_identifier_customers();
create trigger customer_identifiers_customer_check_update
  after update on customer_identifiers referencing new table as new_rows
  for each statement execute function check_identifier_customers();

create function delete_customer_identifiers() returns trigger language plpgsql
set enable_seqscan = off
as $$
begin
  -- customers.id is unique across organisations, and an identifier's org_id is its customer's.
  delete from customer_identifiers where customer_id = any (array(select id from old_rows));
  return null;
end;
$$;

create trigger customers_delete_identifiers
  after delete on customers referencing old table as old_rows
  for each statement execute function delete_customer_identifiers();

create function refuse_orphaning_identifiers() returns trigger language plpgsql as $$
begin
  if exists (select from customer_identifiers where org_id = old.org_id and customer_id = old.id)
     and not exists (select from customers where org_id = old.org_id and id = old.id) then
    raise exception 'update on table "customers" would leave identifiers naming (%, %)', old.org_id, old.id
      using errcode = 'foreign_key_violation', table = 'customers';
  end if;
  return null;
end;
$$;

-- Fires only for an update that sets id or org_id to another value (imports never do).
create trigger customers_rekey_identifiers
  after update of id, org_id on customers
  for each row when (old.id is distinct from new.id or old.org_id is distinct from new.org_id)
  execute function refuse_orphaning_identifiers();

create function truncate_customer_identifiers() returns trigger language plpgsql as $$
begin
  truncate customer_identifiers;
  return null;
end;
$$;

create trigger customers_truncate_identifiers
  after truncate on customers
  for each statement execute function truncate_customer_identifiers();
