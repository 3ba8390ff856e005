"""
Open edX platform glue: the Django app plugin, the mastery-gate user partition scheme and its
dynamic partitions, the Studio sync of the gate children's ``group_access``, the filter step, and the
user-state client the learning plan's class view reads many learners through (``user_states``).
Blocks never import this package; it imports platform modules only inside functions, so it
loads in any Django project (the workbench too).
"""
