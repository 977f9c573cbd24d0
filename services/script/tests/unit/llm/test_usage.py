import pytest

from mathreel_script.llm.errors import BudgetExceeded
from mathreel_script.llm.usage import JobBudget


def test_calls_are_counted_and_limited() -> None:
    budget = JobBudget(max_calls=2, max_tokens=1000)
    budget.before_call()
    budget.record(100, 50)
    budget.before_call()
    with pytest.raises(BudgetExceeded, match="2 model calls"):
        budget.before_call()
    assert budget.usage.as_dict() == {"calls": 2, "prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}


def test_tokens_are_limited() -> None:
    budget = JobBudget(max_calls=10, max_tokens=100)
    budget.before_call()
    budget.record(90, 20)
    assert budget.tokens_left == 0
    with pytest.raises(BudgetExceeded) as caught:
        budget.before_call()
    assert caught.value.code == "llm_budget_exceeded"
    assert caught.value.retryable is False
