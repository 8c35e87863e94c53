# Recipes for analysts and reviewers; each calls the same command the README names.
# `just` is optional: pip install rust-just

# Build tables, figures and both PDFs from data/.
report:
    cargo run --release -- build

# Run every test.
test:
    cargo test --release

# Validate data/ and check that committed tables and figures are current.
check:
    cargo run --release -- check

# Compare the tables at git revision REV with the working tree.
diff REV:
    cargo run --release -q -- diff {{REV}} report/tables
