-- Whose work a stand-in holds while they are away, so that it can go back on their return
-- (only what the stand-in still holds: what they passed on or finished stays).
ALTER TABLE promises ADD COLUMN stand_in_for TEXT;
ALTER TABLE conversations ADD COLUMN stand_in_for TEXT;
