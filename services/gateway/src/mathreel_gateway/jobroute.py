"""The route class of the job status route, which clients poll: served without FastAPI's per-request machinery.

For every request, FastAPI resolves a route's dependency tree with a general solver, opens two exit stacks for
dependencies with ``yield`` and validates the endpoint's return value against the response model before it
serializes it. For ``get_job_status(job: OwnedJob)`` that cost more than everything the route itself does (verify
the token, count the request in Redis, read the job from PostgreSQL): measured in process, about a third of the
gateway's CPU per poll (``docs/benchmarks.md``). A frontend polls this route every few seconds for each job it
follows, so it is the route the gateway serves most.

``OwnedJobRoute`` serves endpoints of one shape only, ``async def endpoint(job: OwnedJob) -> Model``. FastAPI
documents the route from that signature as it does any other (parameters, security scheme, responses), and each
request calls what the dependencies would call, in the order FastAPI would: the bearer scheme (authentication and
the rate-limit count), the path parameter validated by FastAPI's own field for it (so a malformed id gets the usual
422 body), the job lookup, then the endpoint, whose return value the response model serializes. Failures are the
same exceptions, answered by the app's same handlers. A route of any other shape is refused when it is built, so a
parameter or dependency added to such an endpoint later cannot be skipped silently.
"""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import Request, Response
from fastapi._compat import ModelField
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter
from starlette.routing import request_response

from mathreel_gateway.deps import BearerAuthentication, get_owned_job


class OwnedJobRoute(APIRoute):
    """A route whose endpoint takes only the caller's job named in the path (``job: OwnedJob``) and returns a model.

    Use it per route: ``router.add_api_route(..., route_class_override=OwnedJobRoute)``.
    """

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self._job_parameter, self._job_field, self._authenticate = _owned_job_shape(self)
        model = self.response_model
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"{self.path}: OwnedJobRoute needs a pydantic response model, not {model!r}")
        customised = (
            self.response_model_include is not None
            or self.response_model_exclude is not None
            or self.response_model_exclude_unset
            or self.response_model_exclude_defaults
            or self.response_model_exclude_none
            or not self.response_model_by_alias
            or not isinstance(self.response_class, DefaultPlaceholder)
        )
        if customised:
            raise TypeError(
                f"{self.path}: OwnedJobRoute answers JSON of the whole response model, as FastAPI does by default"
            )
        self._model: type[BaseModel] = model
        self._serializer: TypeAdapter[Any] = TypeAdapter(model)
        # Starlette's request/response adapter: the endpoint has no dependency with ``yield`` to close afterwards.
        self.app = request_response(self._handle)

    async def _handle(self, request: Request) -> Response:
        user = await self._authenticate(request)
        # The field's own validator; FastAPI's general parameter reader (~10 µs more) only to word a refusal.
        job_id, errors = self._job_field.validate(request.path_params.get(self._job_field.alias))
        if errors:
            _, errors = request_params_to_args([self._job_field], request.path_params)
            raise RequestValidationError(errors)
        job = await get_owned_job(job_id, user, request)
        result = await self.endpoint(**{self._job_parameter: job})
        if not isinstance(result, self._model):
            raise TypeError(f"{self.path}: the endpoint returned {type(result).__name__}, not {self._model.__name__}")
        return Response(
            self._serializer.dump_json(result, by_alias=True),
            status_code=self.status_code or 200,
            media_type="application/json",
        )


def _owned_job_shape(route: APIRoute) -> tuple[str, ModelField, BearerAuthentication]:
    """The endpoint's job parameter name, the job id's path field and the bearer scheme, once the route is checked to
    have the one shape ``OwnedJobRoute`` serves; ``TypeError`` naming what differs otherwise."""

    def refuse(reason: str) -> TypeError:
        return TypeError(f"{route.path}: OwnedJobRoute serves `async def f(job: OwnedJob) -> Model` only; {reason}")

    if not inspect.iscoroutinefunction(route.endpoint):
        raise refuse("the endpoint is not a coroutine function")
    endpoint = route.dependant
    if _parameters(endpoint) or _special_parameters(endpoint) or len(endpoint.dependencies) != 1:
        raise refuse("the endpoint has other parameters or dependencies")
    lookup = endpoint.dependencies[0]
    if lookup.call is not get_owned_job or lookup.name is None:
        raise refuse("its one dependency is not OwnedJob")
    if len(_parameters(lookup)) != 1 or len(lookup.path_params) != 1 or len(lookup.dependencies) != 1:
        raise refuse("OwnedJob's own parameters changed")
    scheme = lookup.dependencies[0].call
    if not isinstance(scheme, BearerAuthentication):
        raise refuse("OwnedJob no longer depends on the bearer scheme")
    return lookup.name, lookup.path_params[0], scheme


def _parameters(dependant: Dependant) -> list[ModelField]:
    """The request parameters a dependant reads itself: path, query, header, cookie and body."""
    return [
        *dependant.path_params,
        *dependant.query_params,
        *dependant.header_params,
        *dependant.cookie_params,
        *dependant.body_params,
    ]


def _special_parameters(dependant: Dependant) -> list[str]:
    """The names of the parameters FastAPI fills with request objects (``Request``, ``Response``, ...)."""
    names = (
        dependant.websocket_param_name,
        dependant.http_connection_param_name,
        dependant.request_param_name,
        dependant.response_param_name,
        dependant.background_tasks_param_name,
        dependant.security_scopes_param_name,
    )
    return [name for name in names if name is not None]
