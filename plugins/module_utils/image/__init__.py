# -*- coding: utf-8 -*-
# Copyright (c) 2026 agentfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Agent images: reproducible docker-save archives, SBOMs, build context and build records
(plain Python, no Ansible imports)."""
