-- A customer is found by the beginnings of their words (name, phone number, handles), through
-- this index rather than by reading every customer: kept fills it for the customers already
-- there when it starts (the words are folded as the search folds them, in Rust).
CREATE TABLE customer_words (
    word TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    PRIMARY KEY (word, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_words_customer ON customer_words (customer_id);
