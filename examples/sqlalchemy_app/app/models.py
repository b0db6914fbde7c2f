"""Every model, imported once so that `Base.metadata` knows all the tables.

Alembic and the tests import this module; so does the app at start-up.
"""

from app.comments.models import Comment
from app.database import Base
from app.posts.models import Post
from app.tags.models import Tag, post_tags
from app.users.models import User

__all__ = ["Base", "Comment", "Post", "Tag", "User", "post_tags"]
