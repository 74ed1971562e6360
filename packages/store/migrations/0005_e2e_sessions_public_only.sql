-- Citibanamex key exchange: the seed's only operation carries no field encrypted with the
-- session key, so nothing ever decrypts with a session's private key. It is no longer kept
-- (see docs/decisions.md); a session holds only the public key it published.
alter table e2e_sessions drop column private_key_encrypted;
-- The live sessions of one client, newest first: a new call reuses one instead of generating a key.
create index e2e_sessions_client_idx on e2e_sessions (org_id, client_id, expires_at);
