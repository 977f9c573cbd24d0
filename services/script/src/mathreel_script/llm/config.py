"""Settings of the script service's model access and grounding, read from the environment.

These live here until the shared ``Settings`` carries them: ``MATHREEL_LLM_*`` for the model provider and
``MATHREEL_SCRIPT_*`` for retrieval and exemplars. An empty ``MATHREEL_LLM_BASE_URL`` means "no model": the
offline planner writes every storyboard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

StructuredOutput = Literal["auto", "json_schema", "json_object"]


class LlmSettings(BaseSettings):
    """An OpenAI-compatible Chat Completions endpoint and the limits each job may spend on it."""

    model_config = SettingsConfigDict(env_prefix="MATHREEL_LLM_", env_file=".env", extra="ignore")

    # e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:8000/v1 (vLLM)
    base_url: str | None = None
    api_key: SecretStr = SecretStr("")
    model: str = "gpt-4o-mini"
    # Name recorded in Storyboard.author before the model: "<provider>:<model>".
    provider_name: str = "openai-compatible"
    timeout_seconds: float = Field(default=60.0, gt=0)
    # Attempts per call (the first try included) on 429, 5xx and timeouts.
    max_attempts: int = Field(default=4, ge=1)
    backoff_seconds: float = Field(default=1.0, ge=0)
    max_backoff_seconds: float = Field(default=30.0, ge=0)
    max_calls_per_job: int = Field(default=6, ge=1)
    max_tokens_per_job: int = Field(default=60_000, ge=1)
    # Completion tokens asked for per call; a storyboard of 6-8 scenes is 3-5k tokens of JSON.
    max_output_tokens: int = Field(default=6000, ge=256)
    temperature: float = Field(default=0.4, ge=0, le=2)
    max_repairs: int = Field(default=2, ge=0)
    structured_output: StructuredOutput = "auto"
    embeddings_model: str | None = None
    # Typeset and lay out each answer with the visuals service's renderer before accepting it (no frames drawn):
    # LaTeX that does not compile and layouts that cannot be fixed go back to the model with their field paths.
    preflight: bool = True

    @property
    def configured(self) -> bool:
        return bool(self.base_url)

    @property
    def author(self) -> str:
        return f"{self.provider_name}:{self.model}"


class GroundingSettings(BaseSettings):
    """Where retrieval and worked examples come from."""

    model_config = SettingsConfigDict(env_prefix="MATHREEL_SCRIPT_", env_file=".env", extra="ignore")

    # Operators' exemplar storyboards (*.json), used next to the shipped ones.
    exemplars_dir: Path | None = None
    rag_top_k: int = Field(default=5, ge=1, le=20)
    # Load the shipped starter corpus into the knowledge base the first time retrieval is used.
    load_starter_corpus: bool = True
