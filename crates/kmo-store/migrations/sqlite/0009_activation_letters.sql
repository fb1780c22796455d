-- Activation letters (rules.md §8): a user asks to be linked to an enterprise as its legal
-- representative; a letter with a one-time code goes by post to the registered office; the code,
-- entered within a month, activates the mandate. The code is kept in clear only until the letter
-- is printed (then only its hash remains).
create table activation_letter (
    id integer primary key,
    user_id integer not null references app_user (id),
    enterprise_id integer not null references enterprise (id),
    code text,
    code_hash text not null constraint activation_letter_code_unique unique,
    issued_on text not null,
    valid_until text not null,
    printed_on text,
    used_on text
);
create index activation_letter_user on activation_letter (user_id);
