"""What every benchmark counts its SQL statements with."""


class QueryCounter:
    """
    Counts every SQL statement run while installed with ``connection.execute_wrapper`` (Django's
    CaptureQueriesContext also records each one, and keeps only the last 9,000).
    """

    def __init__(self, keep=False):
        self.count = 0
        self.statements = [] if keep else None  # the SQL itself, when kept

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if self.statements is not None:
            self.statements.append(sql)
        return execute(sql, params, many, context)
