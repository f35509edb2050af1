-- The portal's news (docs/portal.md §News) and the applicants' satisfaction
-- ratings (§Satisfaction).

-- A news article; published_at NULL = draft, in the future = scheduled
-- (Vietnamese local time, like every moment the pages show).
CREATE TABLE news_article (
    slug TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_md TEXT NOT NULL,
    body_html TEXT NOT NULL,
    category TEXT NOT NULL,
    author TEXT NOT NULL,
    source_unit TEXT NOT NULL,
    image_sha256 TEXT,
    image_type TEXT,
    image_caption TEXT NOT NULL,
    published_at TIMESTAMP,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX news_published ON news_article (published_at);

-- One rating per dossier, by its applicant (Circular 01/2018 Art 12-15).
-- On a distributed PostgreSQL it goes with the dossier's unit.
CREATE TABLE satisfaction (
    dossier_code TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    receiving_agency TEXT NOT NULL,
    overall INTEGER NOT NULL,
    answers TEXT NOT NULL,
    rated_at TIMESTAMP NOT NULL
);
CREATE INDEX satisfaction_agency ON satisfaction (receiving_agency, rated_at);
