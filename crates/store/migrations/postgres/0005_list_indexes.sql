-- wangjian schema v5 (PostgreSQL): an index for the lists at a million cases (bench/store.sh).
-- A region's open cases in id order (`Store::cases` with `Scope::Region`): a region is a
-- range of codes, so no (region, …) index returns its rows in id order and a city's
-- 40 000 open cases were sorted for every page. This one walks open cases in id order and
-- tests the region inside the index, stopping after a page.
CREATE INDEX cases_open_id_region ON cases(is_open, id, region);
