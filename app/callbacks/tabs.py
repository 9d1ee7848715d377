"""Tab switching, in the browser (see app/tabs.py)."""

from app.layout import TAB_KEYS
from app.tabs import register_tab_switching

register_tab_switching(TAB_KEYS)
