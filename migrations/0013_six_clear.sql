-- "6 rõ": a task goes live only with a named responsible person ("rõ
-- người"), an account of its lead unit; drafts and tasks stored before
-- this may have none.
ALTER TABLE tasks ADD COLUMN responsible_user_id BIGINT REFERENCES users(id);
