//! Unit tests of the audit and suppression on hand-made systems; the integration tests
//! check them against an independent brute-force enumeration.
use super::suppress::SUPPRESSION_WORK;
use super::*;

/// A 2×2 table with row and column totals, people only: rows a, b; columns M1, M2.
fn grid(values: [[usize; 2]; 2], k: u32) -> Universe {
    let mut u = Universe { k, models: vec!["M1".into(), "M2".into()], ..Default::default() };
    let mut id = 0;
    let mut cells = [[0usize; 3]; 3];
    let mut members: Vec<Vec<Members>> = vec![vec![Members::new(); 3]; 3];
    for r in 0..2 {
        for c in 0..2 {
            for _ in 0..values[r][c] {
                id += 1;
                for (rr, cc) in [(r, c), (r, 2), (2, c), (2, 2)] {
                    members[rr][cc].insert(id);
                }
            }
        }
    }
    for r in 0..3 {
        for c in 0..3 {
            let role = if r == 2 && c == 2 { Role::Public } else { Role::Suppressible };
            cells[r][c] = u.push(Count {
                table: "t".into(),
                row: format!("r{r}"),
                col: format!("c{c}"),
                measure: Counted::People,
                model: (c < 2).then_some(c),
                members: members[r][c].clone(),
                role,
                scope: vec![],
            });
        }
    }
    for r in 0..3 {
        u.families.push((cells[r][2], vec![cells[r][0], cells[r][1]]));
    }
    for c in 0..3 {
        u.families.push((cells[2][c], vec![cells[0][c], cells[1][c]]));
    }
    u
}

#[test]
fn a_lone_small_cell_is_recovered_by_subtraction() {
    let u = grid([[1, 5], [4, 6]], 3);
    let leaks = audit(&u, &u.primary());
    assert_eq!(leaks.len(), 1);
    assert_eq!(u.cells[leaks[0].cell].row, "r0");
    assert_eq!(leaks[0].excluded, vec![2], "the reader knows it is 1");
}

#[test]
fn suppression_hides_a_rectangle_and_passes() {
    let u = grid([[1, 5], [4, 6]], 3);
    let p = suppress(&u).expect("protectable");
    assert!(audit(&u, &p).is_empty());
    let hidden = p.iter().filter(|s| **s == Status::Secondary).count();
    // The grand total is public (16), so hiding the small cell's row and column totals is
    // not enough (16 − 5 − 4 − 6 = 1): the classic rectangle of three inner cells it is.
    assert_eq!(hidden, 3, "{p:?}");
    for i in [1, 3, 4] {
        assert_eq!(p[i], Status::Secondary, "{p:?}");
    }
}

#[test]
fn suppression_out_of_work_keeps_cells_hidden_and_still_passes() {
    let u = grid([[1, 5], [4, 6]], 3);
    let (full, _) = suppress_within(&u, SUPPRESSION_WORK).expect("protectable");
    let (none, _) = suppress_within(&u, 0).expect("protectable");
    assert!(audit(&u, &full).is_empty() && audit(&u, &none).is_empty());
    let hidden = |p: &[Status]| p.iter().filter(|s| **s == Status::Secondary).count();
    // With no work to spend, only the first cell of each order is tried; the rest stay
    // hidden, which hides more but reveals nothing.
    assert!(hidden(&none) > hidden(&full), "{none:?} vs {full:?}");
}

/// Two universes side by side as one: no fact links a cell of one to a cell of the other.
fn side_by_side(a: Universe, b: Universe) -> Universe {
    let mut u = a;
    let offset = u.cells.len();
    for mut c in b.cells {
        c.table = "u".into();
        c.members = c.members.iter().map(|m| m + 1000).collect();
        u.cells.push(c);
    }
    for (p, parts) in b.families {
        u.families.push((p + offset, parts.iter().map(|c| c + offset).collect()));
    }
    u
}

#[test]
fn independent_tables_are_audited_as_separate_blocks_with_the_same_answers() {
    let (a, b) = (grid([[1, 5], [4, 6]], 3), grid([[6, 4], [5, 2]], 3));
    let u = side_by_side(a.clone(), b.clone());
    let primary = u.primary();
    let built = program::build(&u, &primary, &u.relations(), &u.unlabelled(&primary));
    // Each table's hidden cell stands alone in its programme (its row and column print).
    let blocks = built.blocks();
    assert_eq!(blocks.len(), 2, "one block per small cell");
    // Suppressing both together hides what suppressing each alone hides.
    let both = suppress(&u).expect("protectable");
    let (pa, pb) = (suppress(&a).expect("protectable"), suppress(&b).expect("protectable"));
    assert_eq!(both, [pa, pb].concat());
    assert!(audit(&u, &both).is_empty());
}
