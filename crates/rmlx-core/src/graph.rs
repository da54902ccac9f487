//! A lazy graph as Graphviz DOT text (`mx.export_to_dot`): the arrays the
//! outputs need that are not yet computed, with their primitives.

use crate::array::Array;
use crate::primitive::Primitive;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// The name DOT shows for a primitive (`Add`, `Sum`, `Take`, ...).
pub fn primitive_label(p: &Primitive) -> String {
    match p {
        Primitive::Unary(op) => format!("{op:?}"),
        Primitive::Binary(op) => format!("{op:?}"),
        Primitive::Reduce { op, .. } => format!("{op:?}"),
        Primitive::ArgReduce { op, .. } => format!("Arg{op:?}"),
        Primitive::Scan { op, .. } => format!("Cum{op:?}"),
        Primitive::Scatter { mode } | Primitive::ScatterAxis { mode, .. } => format!("Scatter{mode:?}"),
        Primitive::Sort { arg: true } => "ArgSort".into(),
        Primitive::Custom(_) => "CustomFunction".into(),
        other => {
            let debug = format!("{other:?}");
            debug.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("Primitive").to_string()
        }
    }
}

/// The name of the `k`-th unnamed array: A..Z, then AA, AB, ...
fn letters(mut k: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (k % 26) as u8);
        if k < 26 {
            break;
        }
        k = k / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn quoted(name: &str) -> String {
    let mut q = String::with_capacity(name.len() + 2);
    q.push('"');
    for c in name.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// The graph of `outputs` in DOT: every computed array the outputs reach is
/// a source, each pending primitive a box with edges from its inputs and to
/// its outputs (all of them, for a primitive with several), and the arrays
/// nothing uses are sinks. `names`
/// label arrays; the others are lettered in the order they are reached.
/// The walk keeps its own stack, so a graph of any depth is fine.
pub fn to_dot(outputs: &[Array], names: &[(String, Array)]) -> String {
    // Post-order: inputs before the arrays computed from them.
    let mut order: Vec<Array> = Vec::new();
    let mut expanded: HashSet<usize> = HashSet::new();
    let mut stack: Vec<(Array, bool)> = outputs.iter().rev().map(|a| (a.clone(), false)).collect();
    while let Some((a, done)) = stack.pop() {
        if done {
            order.push(a);
            continue;
        }
        if !expanded.insert(a.id()) {
            continue;
        }
        let inputs = a.inputs();
        stack.push((a, true));
        for i in inputs.into_iter().rev() {
            if !expanded.contains(&i.id()) {
                stack.push((i, false));
            }
        }
    }
    // The last name given to an array wins; an array nothing in the graph
    // uses is a sink (an output that another output is computed from is not).
    let given: HashMap<usize, &str> = names.iter().map(|(n, a)| (a.id(), n.as_str())).collect();
    let used: HashSet<usize> = order.iter().flat_map(|a| a.inputs()).map(|i| i.id()).collect();
    let mut label: HashMap<usize, String> = HashMap::new();
    let mut next = 0usize;
    let mut name_of = |a: &Array| -> String {
        label
            .entry(a.id())
            .or_insert_with(|| {
                let n = given.get(&a.id()).map(|s| s.to_string()).unwrap_or_else(|| letters(next));
                next += 1;
                quoted(&n)
            })
            .clone()
    };
    let mut out = String::from("digraph {\n");
    let mut drawn: HashSet<usize> = HashSet::new();
    let mut boxes = 0usize;
    for a in &order {
        if drawn.contains(&a.id()) {
            continue;
        }
        let Some(prim) = a.primitive() else {
            drawn.insert(a.id());
            let _ = writeln!(out, "{{ rank=source; {}; }}", name_of(a));
            continue;
        };
        let inputs = a.inputs();
        let mut results = vec![a.clone()];
        results.extend(a.siblings());
        boxes += 1;
        let node = format!("p{boxes}");
        let _ = writeln!(out, "{{ {node} [label =\"{}\", shape=rectangle]; }}", primitive_label(&prim));
        for i in &inputs {
            let _ = writeln!(out, "{} -> {node}", name_of(i));
        }
        for r in results {
            drawn.insert(r.id());
            let n = name_of(&r);
            if !used.contains(&r.id()) {
                let _ = writeln!(out, "{{ rank=sink; {n}; }}");
            } else {
                let _ = writeln!(out, "{{ {n}; }}");
            }
            let _ = writeln!(out, "{node} -> {n}");
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_go_past_z() {
        assert_eq!(letters(0), "A");
        assert_eq!(letters(25), "Z");
        assert_eq!(letters(26), "AA");
        assert_eq!(letters(27), "AB");
        assert_eq!(letters(26 + 26 * 26), "AAA");
    }

    #[test]
    fn a_deep_chain_needs_no_deep_stack() {
        let mut a = crate::ops::ones(&[1], crate::Dtype::Float32).unwrap();
        for _ in 0..100_000 {
            a = crate::ops::add(&a, 1.0).unwrap();
        }
        let dot = to_dot(&[a], &[]);
        assert_eq!(dot.matches("label =\"Add\"").count(), 100_000);
        assert!(dot.ends_with("}\n"));
    }

    #[test]
    fn names_are_quoted() {
        assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
