-- customers (org_id) is the leading column of unique (org_id, id), which serves every look-up by
-- organisation alone; the separate index only cost each import row its maintenance (the physical
-- reference ran 5% faster without it: docs/performance.md, "What bounds the physical reference").
drop index if exists customers_org_idx;
