-- name: overview/counts_pairwise
-- One row: counts of the batch's pairwise verdicts, exact duplicate copies skipped (the report's one
-- duplicate rule, verdicts.duplicate_copy); n_duplicate_copies = the stored copies left out.
-- params: $batch_id
SELECT count(*) AS n_judgments,
       count(DISTINCT comparison_id) AS n_comparisons,
       count(DISTINCT annotator_id) AS n_annotators,
       count(*) FILTER (WHERE annotator_kind = 'human') AS n_human_judgments,
       count(*) FILTER (WHERE annotator_kind = 'judge') AS n_judge_judgments,
       count(DISTINCT annotator_id) FILTER (WHERE annotator_kind = 'human') AS n_human_annotators,
       count(DISTINCT annotator_id) FILTER (WHERE annotator_kind = 'judge') AS n_judges,
       count(*) FILTER (WHERE shown_first_recorded) AS n_with_shown_first,
       (SELECT count(*) FROM verdicts WHERE batch_id = $batch_id AND duplicate_copy) AS n_duplicate_copies
FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy
