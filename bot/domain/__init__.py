"""The rules of hiring as plain functions of data and a time: stages, clocks, who may
do what, name matching, scorecard templates, the `/hire` grammar. No database, no Slack."""
