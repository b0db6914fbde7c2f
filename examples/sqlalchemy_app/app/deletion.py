"""Soft delete: rows get a `deleted_at` stamp instead of being removed.

Three pieces, and services never filter by hand:
- `DeletionMixin` adds `deleted_at` to a model;
- `session.delete(obj)` is turned into a stamp, cascaded to the rows listed in
  the model's `__soft_delete_cascade__`, all with the same stamp, in the same
  flush (and so the same transaction);
- every ORM SELECT hides stamped rows, relationship loads included, through one
  `do_orm_execute` listener. Pass `execution_options(include_deleted=True)` to
  see them, as the restore path does.

`restore_statements()` undoes a delete: it clears the stamp on the row and on
the rows that carry the very same stamp, so rows deleted earlier on their own
stay deleted. A row whose other soft-deletable parent has been deleted since
(a comment whose author left after its post was deleted) stays deleted too:
it would point at a row that is hidden.

A soft-deletable model with a foreign key to a soft-deletable parent must be
in that parent's `__soft_delete_cascade__`; otherwise the mappers refuse to
configure (DanglingCascadeError), since its rows would outlive their parent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Table, Update, event, inspect, or_, select, update
from sqlalchemy.orm import (
    Mapped,
    Mapper,
    ORMExecuteState,
    Session,
    mapped_column,
    registry,
    with_loader_criteria,
)

from app.database import utc_now

INCLUDE_DELETED = "include_deleted"


class DanglingCascadeError(Exception):
    """A soft-deletable model whose soft-deletable parent does not cascade to it."""


class DeletionMixin:
    """Adds `deleted_at`; NULL means the row is live."""

    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    # Relationship names whose rows are deleted (and restored) with this row.
    __soft_delete_cascade__: ClassVar[tuple[str, ...]] = ()


def _soft_deletable(models: registry) -> dict[Any, Mapper[Any]]:
    """The soft-deletable mappers of a registry, by table."""
    return {
        mapper.local_table: mapper
        for mapper in models.mappers
        if issubclass(mapper.class_, DeletionMixin)
    }


def dangling_cascades(models: registry) -> list[str]:
    """One line for each soft-deletable child its soft-deletable parent leaves out."""
    soft = _soft_deletable(models)
    found = []
    for child in soft.values():
        for foreign_key in sorted(child.local_table.foreign_keys, key=str):
            parent = soft.get(foreign_key.column.table)
            if parent is None:
                continue
            cascaded = {
                parent.relationships[name].mapper
                for name in parent.class_.__soft_delete_cascade__
            }
            if child not in cascaded:
                found.append(
                    f"{child.class_.__name__}.{foreign_key.parent.name} refers to"
                    f" {parent.class_.__name__}, whose __soft_delete_cascade__ has"
                    f" no relationship to {child.class_.__name__}: deleting a"
                    f" {parent.class_.__name__} would leave its"
                    f" {child.class_.__name__} rows visible"
                )
    return found


# Registries with soft-deletable mappers configured since the last check.
_configured: set[registry] = set()


@event.listens_for(DeletionMixin, "mapper_configured", propagate=True)
def _note_configured(mapper: Mapper[Any], _class: type) -> None:
    _configured.add(mapper.registry)


@event.listens_for(Mapper, "after_configured")
def _refuse_dangling_cascades() -> None:
    while _configured:
        found = dangling_cascades(_configured.pop())
        if found:
            raise DanglingCascadeError("\n".join(found))


def _other_parents_kept(
    child: Mapper[Any], through: Any, stamp: datetime | None
) -> list[ColumnElement[bool]]:
    """Conditions on `child` rows: each soft-deletable parent other than the one
    through `through` is live, or carries `stamp` (is restored with them)."""
    conditions: list[ColumnElement[bool]] = []
    soft = _soft_deletable(child.registry)
    for foreign_key in sorted(child.local_table.foreign_keys, key=str):
        parent: Table = foreign_key.column.table
        if parent not in soft or foreign_key.parent is through:
            continue
        kept = or_(parent.c.deleted_at.is_(None), parent.c.deleted_at == stamp)
        conditions.append(
            foreign_key.parent.in_(select(foreign_key.column).where(kept))
        )
    return conditions


def _cascade_statements(
    model: type[DeletionMixin], ids: Any, stamp: datetime | None, *, restore: bool
) -> list[Update]:
    """UPDATEs that stamp, or unstamp, the rows that hang off rows `ids`.

    Deleting stamps children first, then their children (found by the stamp).
    Restoring goes deepest first, while the children still carry the stamp.
    """
    statements: list[Update] = []
    mapper = inspect(model)
    for name in model.__soft_delete_cascade__:
        relationship = mapper.relationships[name]
        child: Any = relationship.mapper.class_
        ((_, foreign_key),) = relationship.local_remote_pairs
        if restore:
            kept = _other_parents_kept(relationship.mapper, foreign_key, stamp)
            own = (
                update(child)
                .where(foreign_key.in_(ids), child.deleted_at == stamp, *kept)
                .values(deleted_at=None)
            )
        else:
            own = (
                update(child)
                .where(foreign_key.in_(ids), child.deleted_at.is_(None))
                .values(deleted_at=stamp)
            )
        stamped = select(child.id).where(
            foreign_key.in_(ids), child.deleted_at == stamp
        )
        deeper = _cascade_statements(child, stamped, stamp, restore=restore)
        statements += [*deeper, own] if restore else [own, *deeper]
    return statements


def restore_statements(obj: DeletionMixin) -> list[Update]:
    """The UPDATEs that bring back `obj` and exactly what its delete took along."""
    model: Any = type(obj)
    own = update(model).where(model.id == obj.id).values(deleted_at=None)  # type: ignore[attr-defined]
    ids = [obj.id]  # type: ignore[attr-defined]
    return [*_cascade_statements(model, ids, obj.deleted_at, restore=True), own]


@event.listens_for(Session, "before_flush")
def _soft_delete_on_flush(session: Session, _context: Any, _instances: Any) -> None:
    deleted = [obj for obj in session.deleted if isinstance(obj, DeletionMixin)]
    if not deleted:
        return
    # One stamp for the whole flush: restore finds what went together by it.
    stamp = utc_now()
    for obj in deleted:
        # Adding the object back takes it out of `deleted`: an UPDATE, not a DELETE.
        session.add(obj)
        obj.deleted_at = stamp
        ids = [obj.id]  # type: ignore[attr-defined]
        for statement in _cascade_statements(type(obj), ids, stamp, restore=False):
            session.execute(statement)


@event.listens_for(Session, "do_orm_execute")
def _hide_deleted(state: ORMExecuteState) -> None:
    if (
        state.is_select
        and not state.is_column_load
        and not state.is_relationship_load
        and not state.execution_options.get(INCLUDE_DELETED, False)
    ):
        state.statement = state.statement.options(
            with_loader_criteria(
                DeletionMixin,
                lambda cls: cls.deleted_at.is_(None),
                include_aliases=True,
            )
        )
