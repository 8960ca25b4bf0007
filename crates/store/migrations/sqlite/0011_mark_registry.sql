-- wangjian schema v11 (sqlite): marks as a registry. One word may belong to many owners (the
-- key stays (owner, mark)); each entry keeps the Nice classes (尼斯分类, 1-45) it is
-- registered in and its registration numbers (注册号), so the scan can choose the owner
-- whose classes fit a listing. Existing rows get empty lists.
ALTER TABLE marks ADD COLUMN classes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE marks ADD COLUMN registrations TEXT NOT NULL DEFAULT '[]';
