-- Citibanamex key exchange ("GET e2e"): one RSA key pair per session, bound to the
-- organisation and client that created it. The private key is stored encrypted
-- (AES-256-GCM under a key derived from the identifier hash secret), never in clear.
create table e2e_sessions (
  sid text primary key,
  org_id text not null references organisations (id),
  client_id text not null references api_clients (client_id),
  modulus text not null,
  exponent text not null,
  private_key_encrypted text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index e2e_sessions_expiry_idx on e2e_sessions (expires_at);
