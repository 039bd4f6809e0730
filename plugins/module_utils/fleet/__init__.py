# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet spec domain core: plain Python (no Ansible imports).

Public API lives in ``fleet.api``: ``load_spec``, ``validate``, ``render``, ``write``.
"""
