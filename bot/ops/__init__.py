"""Operations: logs, the health endpoint, backups on a schedule, the instance lock and the
command line's ``check``, ``backup`` and ``restore`` (see the README, section "Vận hành")."""
