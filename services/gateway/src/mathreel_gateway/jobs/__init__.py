"""The job API in one package, one role a module.

- ``routes``: the ``/api/v1/videos`` HTTP routes; they parse, authorise and answer, nothing else.
- ``service``: the rules: admission under the active-jobs limit, cancellation, what "completed" requires.
- ``repository``: every read and write of the job table, the batched lookup of one job for its owner included.
- ``schemas``: the request and response bodies of the contract, and how a stored job becomes one.
"""
