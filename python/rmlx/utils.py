"""Trees of arrays (nested lists, tuples and dicts), as ``mlx.utils`` has
them: flatten to ``(path, leaf)`` pairs with dotted paths, rebuild, map,
reduce and merge."""

from collections.abc import Callable
from typing import Any, Optional

__all__ = [
    "tree_flatten",
    "tree_unflatten",
    "tree_map",
    "tree_map_with_path",
    "tree_reduce",
    "tree_merge",
]


def _is_node(x):
    return isinstance(x, (list, tuple, dict))


def tree_map(fn: Callable, tree: Any, *rest: Any, is_leaf: Optional[Callable] = None) -> Any:
    """Applies ``fn`` to the leaves of ``tree`` (and the matching leaves of
    the trees in ``rest``), keeping the structure."""
    if is_leaf is not None and is_leaf(tree):
        return fn(tree, *rest)
    if isinstance(tree, (list, tuple)):
        items = [tree_map(fn, child, *(r[i] for r in rest), is_leaf=is_leaf) for i, child in enumerate(tree)]
        return type(tree)(items) if not hasattr(tree, "_fields") else type(tree)(*items)
    if isinstance(tree, dict):
        return {k: tree_map(fn, child, *(r[k] for r in rest), is_leaf=is_leaf) for k, child in tree.items()}
    return fn(tree, *rest)


def tree_map_with_path(
    fn: Callable, tree: Any, *rest: Any, is_leaf: Optional[Callable] = None, path: Optional[str] = None
) -> Any:
    """As ``tree_map``, with the leaf's dotted path as ``fn``'s first argument."""

    def join(p, k):
        return f"{p}.{k}" if p else str(k)

    if is_leaf is not None and is_leaf(tree):
        return fn(path, tree, *rest)
    if isinstance(tree, (list, tuple)):
        items = [
            tree_map_with_path(fn, child, *(r[i] for r in rest), is_leaf=is_leaf, path=join(path, i))
            for i, child in enumerate(tree)
        ]
        return type(tree)(items) if not hasattr(tree, "_fields") else type(tree)(*items)
    if isinstance(tree, dict):
        return {
            k: tree_map_with_path(fn, child, *(r[k] for r in rest), is_leaf=is_leaf, path=join(path, k))
            for k, child in tree.items()
        }
    return fn(path, tree, *rest)


def tree_flatten(tree: Any, prefix: str = "", is_leaf: Optional[Callable] = None) -> list:
    """The leaves of ``tree`` as ``(path, leaf)`` pairs, paths joined by dots
    (``"layers.0.weight"``); ``prefix`` goes in front of every path."""
    out = []

    def walk(node, path):
        if (is_leaf is None or not is_leaf(node)) and _is_node(node):
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for k, child in items:
                walk(child, f"{path}.{k}" if path else str(k))
        else:
            out.append((path, node))

    walk(tree, prefix[1:] if prefix.startswith(".") else prefix)
    return out


def tree_unflatten(tree: list) -> Any:
    """Rebuilds a tree from ``(path, leaf)`` pairs: integer path keys make
    lists, others dicts."""
    if len(tree) == 1 and tree[0][0] == "":
        return tree[0][1]
    children: dict = {}
    for path, value in tree:
        head, _, tail = path.partition(".")
        children.setdefault(head, []).append((tail, value))
    if all(k.isdigit() for k in children):
        keys = sorted(children, key=int)
        return [tree_unflatten(children[k]) for k in keys]
    return {k: tree_unflatten(v) for k, v in children.items()}


def tree_reduce(fn: Callable, tree: Any, initializer: Any = None, is_leaf: Optional[Callable] = None) -> Any:
    """Folds ``fn(accumulator, leaf)`` over the leaves of ``tree``."""
    acc = initializer
    first = initializer is None
    for _, leaf in tree_flatten(tree, is_leaf=is_leaf):
        if first:
            acc, first = leaf, False
        else:
            acc = fn(acc, leaf)
    return acc


def tree_merge(tree_a: Any, tree_b: Any, merge_fn: Optional[Callable] = None) -> Any:
    """Merges two trees of the same structure where one of them has a leaf
    (the other None or an empty node); ``merge_fn(a, b)`` settles leaves
    present in both (an error without one)."""
    if tree_a is None or (_is_node(tree_a) and len(tree_a) == 0):
        return tree_b
    if tree_b is None or (_is_node(tree_b) and len(tree_b) == 0):
        return tree_a
    if isinstance(tree_a, dict) and isinstance(tree_b, dict):
        keys = list(tree_a) + [k for k in tree_b if k not in tree_a]
        return {k: tree_merge(tree_a.get(k), tree_b.get(k), merge_fn) for k in keys}
    if isinstance(tree_a, (list, tuple)) and isinstance(tree_b, (list, tuple)):
        if len(tree_a) != len(tree_b):
            raise ValueError(f"tree_merge: lists of different lengths ({len(tree_a)} and {len(tree_b)})")
        return type(tree_a)(tree_merge(a, b, merge_fn) for a, b in zip(tree_a, tree_b))
    if merge_fn is None:
        raise ValueError("tree_merge: both trees have a leaf here; pass merge_fn to combine them")
    return merge_fn(tree_a, tree_b)
