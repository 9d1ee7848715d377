"""The page's static structure: header, filter panel and one module per tab."""
