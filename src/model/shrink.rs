//! Shrinking: smaller candidates of a failing sequence, most promising first. First operations
//! are dropped (halves, quarters, ... single ones), then arguments simplified (relative
//! placement and `above` left out, curate changes and concurrent writes dropped, pages made
//! plainer, tweets renamed to lower ones, orders made the default). The caller replays each
//! candidate the model can predict and keeps the first that still fails.

use super::model::{Change, Op, Order, Paging};

/// Every candidate one step smaller than `ops`, in the order they should be tried.
pub fn candidates(ops: &[Op]) -> Vec<Vec<Op>> {
    let mut out = Vec::new();
    let n = ops.len();
    // Drop chunks, largest first.
    let mut size = n / 2;
    while size >= 1 {
        let mut start = 0;
        while start + size <= n {
            let mut candidate = ops[..start].to_vec();
            candidate.extend_from_slice(&ops[start + size..]);
            out.push(candidate);
            start += size;
        }
        size /= 2;
    }
    // Simplify one operation at a time.
    for (i, op) in ops.iter().enumerate() {
        for simpler in simplify(op) {
            let mut candidate = ops.to_vec();
            candidate[i] = simpler;
            out.push(candidate);
        }
    }
    // Rename a tweet to a lower one everywhere (fewer distinct tweets).
    let used = tweets_used(ops);
    for (k, high) in used.iter().enumerate() {
        for low in &used[..k] {
            out.push(ops.iter().map(|op| rename(op, *high, *low)).collect());
        }
        if k > 0 || *high == 0 {
            continue;
        }
        out.push(ops.iter().map(|op| rename(op, *high, 0)).collect());
    }
    // Name the only collection left `A`.
    if ops.iter().all(|op| op.slot() == 1) {
        out.push(ops.iter().map(|op| with_slot(op, 0)).collect());
    }
    out.retain(|c| c.as_slice() != ops);
    out
}

/// The operation on another slot.
fn with_slot(op: &Op, to: usize) -> Op {
    let mut op = op.clone();
    match &mut op {
        Op::Create { slot, .. }
        | Op::Add { slot, .. }
        | Op::Remove { slot, .. }
        | Op::Move { slot, .. }
        | Op::Curate { slot, .. }
        | Op::Read { slot, .. }
        | Op::Destroy { slot }
        | Op::Concurrent { slot, .. } => *slot = to,
    }
    op
}

/// Simpler versions of one operation.
fn simplify(op: &Op) -> Vec<Op> {
    let mut out = Vec::new();
    match op {
        Op::Create { slot, order } if *order != Order::Curation => out.push(Op::Create {
            slot: *slot,
            order: Order::Curation,
        }),
        Op::Add {
            slot,
            tweet,
            relative: Some(relative),
        } => {
            out.push(Op::Add {
                slot: *slot,
                tweet: *tweet,
                relative: None,
            });
            if relative.above.is_some() {
                let mut r = *relative;
                r.above = None;
                out.push(Op::Add {
                    slot: *slot,
                    tweet: *tweet,
                    relative: Some(r),
                });
            }
        }
        Op::Move {
            slot,
            tweet,
            relative,
        } if relative.above.is_some() => {
            let mut r = *relative;
            r.above = None;
            out.push(Op::Move {
                slot: *slot,
                tweet: *tweet,
                relative: r,
            });
        }
        Op::Curate { slot, changes } if changes.len() == 1 => out.push(match changes[0] {
            Change::Add(tweet) => Op::Add {
                slot: *slot,
                tweet,
                relative: None,
            },
            Change::Remove(tweet) => Op::Remove { slot: *slot, tweet },
        }),
        Op::Curate { slot, changes } if changes.len() > 1 => {
            for i in 0..changes.len() {
                let mut fewer = changes.clone();
                fewer.remove(i);
                out.push(Op::Curate {
                    slot: *slot,
                    changes: fewer,
                });
            }
        }
        Op::Concurrent { slot, writes } if writes.len() > 2 => {
            for i in 0..writes.len() {
                let mut fewer = writes.clone();
                fewer.remove(i);
                out.push(Op::Concurrent {
                    slot: *slot,
                    writes: fewer,
                });
            }
        }
        Op::Read {
            slot,
            paging: Paging::Walk { count },
        } if *count > 2 => out.push(Op::Read {
            slot: *slot,
            paging: Paging::Walk { count: count - 1 },
        }),
        Op::Read {
            slot,
            paging: Paging::Newer { below },
        } if *below > 1 => out.push(Op::Read {
            slot: *slot,
            paging: Paging::Newer { below: below - 1 },
        }),
        _ => {}
    }
    out
}

/// Tweets named by the sequence, ascending.
fn tweets_used(ops: &[Op]) -> Vec<usize> {
    let mut used = Vec::new();
    let mut note = |t: usize| {
        if !used.contains(&t) {
            used.push(t);
        }
    };
    for op in ops {
        match op {
            Op::Add {
                tweet, relative, ..
            } => {
                note(*tweet);
                if let Some(r) = relative {
                    note(r.to);
                }
            }
            Op::Remove { tweet, .. } => note(*tweet),
            Op::Move {
                tweet, relative, ..
            } => {
                note(*tweet);
                note(relative.to);
            }
            Op::Curate { changes: c, .. } | Op::Concurrent { writes: c, .. } => {
                c.iter().for_each(|ch| note(ch.tweet()))
            }
            _ => {}
        }
    }
    used.sort_unstable();
    used
}

/// The operation with tweet `from` named `to` instead.
fn rename(op: &Op, from: usize, to: usize) -> Op {
    let r = |t: usize| if t == from { to } else { t };
    let change = |c: &Change| match c {
        Change::Add(t) => Change::Add(r(*t)),
        Change::Remove(t) => Change::Remove(r(*t)),
    };
    match op {
        Op::Add {
            slot,
            tweet,
            relative,
        } => Op::Add {
            slot: *slot,
            tweet: r(*tweet),
            relative: relative.map(|mut x| {
                x.to = r(x.to);
                x
            }),
        },
        Op::Remove { slot, tweet } => Op::Remove {
            slot: *slot,
            tweet: r(*tweet),
        },
        Op::Move {
            slot,
            tweet,
            relative,
        } => {
            let mut x = *relative;
            x.to = r(x.to);
            Op::Move {
                slot: *slot,
                tweet: r(*tweet),
                relative: x,
            }
        }
        Op::Curate { slot, changes } => Op::Curate {
            slot: *slot,
            changes: changes.iter().map(change).collect(),
        },
        Op::Concurrent { slot, writes } => Op::Concurrent {
            slot: *slot,
            writes: writes.iter().map(change).collect(),
        },
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_drop_operations_before_simplifying() {
        let ops = vec![
            Op::Create {
                slot: 0,
                order: Order::Curation,
            },
            Op::Add {
                slot: 0,
                tweet: 3,
                relative: None,
            },
            Op::Remove { slot: 0, tweet: 3 },
        ];
        let c = candidates(&ops);
        assert_eq!(c[0].len(), 2);
        assert!(c.iter().all(|x| x.len() <= ops.len()));
        // Tweet 3 renamed to 0.
        assert!(c.iter().any(|x| x[1]
            == Op::Add {
                slot: 0,
                tweet: 0,
                relative: None
            }));
    }
}
