-- FTS5 merges the index's segments once 8 are at one level, not 4. Every batch commits a small
-- segment, and merging them was the largest part of the one writer's work on import: at 1M
-- messages +5-19 % messages/s (turns on copies of one database), while search p99 after 200,000
-- more messages went from 3.2-3.7 to 3.8-3.9 ms. 16 was no faster than 8.
INSERT INTO search_index (search_index, rank) VALUES ('automerge', 8);
