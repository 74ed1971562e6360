-- Per-organisation vendor credentials for upstream mode (`<FAMILY>_UPSTREAM_CREDENTIALS=per-organisation`):
-- each organisation's own account with a vendor. `sealed` is AES-256-GCM under a key from the
-- BFF's environment (UPSTREAM_CREDENTIALS_KEY), bound to (org_id, family): the database never
-- holds a usable secret, and a sealed credential copied to another organisation's row does not open.
create table upstream_credentials (
  org_id text not null references organisations (id),
  family text not null check (family in ('scoring', 'segments', 'categories', 'profiles')),
  kind text not null check (kind in ('oauth2', 'header')),
  sealed text not null check (length(sealed) <= 16384),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, family)
);

-- A replaced or revoked credential reaches every replica's read cache at commit (0007).
do $$
declare
  event text;
begin
  foreach event in array array['insert', 'update', 'delete'] loop
    execute format(
      'create trigger %I after %s on upstream_credentials referencing %s table as changed_rows for each statement execute function notify_org_change()',
      'upstream_credentials_notify_' || event,
      event,
      case event when 'delete' then 'old' else 'new' end
    );
  end loop;
end;
$$;
