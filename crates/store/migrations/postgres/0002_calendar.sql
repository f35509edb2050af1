-- Dated exceptions to the weekly working pattern: holidays, compensatory days,
-- swapped days off and working Saturdays. scope '' = the whole installation
-- (a stored year replaces the rule-derived year as a whole), otherwise an
-- agency code (a date-level override for that agency only).
CREATE TABLE calendar_day (
    scope TEXT NOT NULL,
    day DATE NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (scope, day)
);
