"""Fake upstream providers (OpenAI Chat Completions, Anthropic Messages) for the e2e tests."""
