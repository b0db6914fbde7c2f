"""PostgreSQL specifics: the posts list is served by its keyset index."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.pagination import keyset_page
from app.posts.models import Post
from app.posts.queries import post_rows
from tests.conftest import PostFactory


async def test_posts_list_uses_the_keyset_index(
    session: AsyncSession, post_factory: PostFactory
) -> None:
    for _ in range(5):
        await post_factory()
    statement = keyset_page(
        post_rows(),
        created_at=Post.created_at,
        id_column=Post.id,
        cursor=None,
        limit=20,
        newest_first=True,
    )
    connection = await session.connection()
    sql = statement.compile(connection, compile_kwargs={"literal_binds": True})
    # With five rows a sequential scan is cheaper; forbid it to see which index
    # the planner would use at scale.
    await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")

    result = await connection.exec_driver_sql(f"EXPLAIN {sql}")
    plan = "\n".join(row[0] for row in result)

    assert "ix_posts_created_at_id" in plan
