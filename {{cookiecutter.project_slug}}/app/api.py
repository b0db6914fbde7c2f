"""Every versioned route, under /api/v1."""

from fastapi import APIRouter

from app.auth.router import router as auth_router
from app.comments.router import router as comments_router
from app.posts.router import router as posts_router
from app.stats.router import router as stats_router
from app.tags.router import router as tags_router
from app.users.router import router as users_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(posts_router)
api_router.include_router(comments_router)
api_router.include_router(tags_router)
api_router.include_router(stats_router)
