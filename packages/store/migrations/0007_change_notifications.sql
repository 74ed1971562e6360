-- Every write to what the API reads tells every process caching reads, from the writing
-- transaction itself: pg_notify is delivered at commit (and never for a rollback), once per
-- distinct payload per transaction. The payload is the cache scope the write changed: `org:<id>`,
-- or `api-keys`. Statement-level triggers: a bulk import batch notifies once per statement,
-- not once per row. (docs/performance.md#read-cache)

create function notify_org_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('insights_store_changes', 'org:' || org_id) from (select distinct org_id from changed_rows) as changed;
  return null;
end;
$$;

-- customer_scores has no org_id of its own: the customer's. (A customer deleted with its scores
-- is gone by then; the customers trigger notifies for it.)
create function notify_score_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('insights_store_changes', 'org:' || org_id)
  from (select distinct c.org_id from changed_rows s join customers c on c.id = s.customer_id) as changed;
  return null;
end;
$$;

create function notify_api_key_change() returns trigger language plpgsql as $$
begin
  perform pg_notify('insights_store_changes', 'api-keys');
  return null;
end;
$$;

-- A transition table belongs to one event, so each table gets one trigger per event.
do $$
declare
  target record;
  event text;
begin
  for target in
    select * from (values
      ('customers', 'notify_org_change'),
      ('customer_identifiers', 'notify_org_change'),
      ('profile_attribute_columns', 'notify_org_change'),
      ('customer_profile_attributes', 'notify_org_change'),
      ('customer_linked_profiles', 'notify_org_change'),
      ('categories', 'notify_org_change'),
      ('customer_categories', 'notify_org_change'),
      ('api_clients', 'notify_org_change'),
      ('customer_scores', 'notify_score_change'),
      ('api_keys', 'notify_api_key_change')
    ) as t (table_name, function_name)
  loop
    foreach event in array array['insert', 'update', 'delete'] loop
      execute format(
        'create trigger %I after %s on %I referencing %s table as changed_rows for each statement execute function %I()',
        target.table_name || '_notify_' || event,
        event,
        target.table_name,
        case event when 'delete' then 'old' else 'new' end,
        target.function_name
      );
    end loop;
  end loop;
end;
$$;
