"""Support and planning records (stage 3): the Reunification Planning Meeting, the
written agreement and its goals, family time, Placement with Parents approval, the
contingency and safety plan, support services, the support plan and direct work."""
