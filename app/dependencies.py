"""The request's context as typed dependencies: routers take these, not ``request.app.state``.

``create_app`` puts the settings and the clock on the app state once; tests pin both there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.core.clock import Clock
from app.core.urls import PublicUrls


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_urls(settings: SettingsDep) -> PublicUrls:
    return PublicUrls(settings.public_url)


UrlsDep = Annotated[PublicUrls, Depends(get_urls)]
