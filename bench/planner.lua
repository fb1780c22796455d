-- POST /portefeuille/planner with two planned trainings (one starting on 29 December, so the
-- planner weighs this year's ceiling against next year's). KMO_COOKIE, KMO_CSRF and the dates
-- KMO_START_1 / KMO_START_2 come from bench/pages.sh.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("KMO_COOKIE")
wrk.body = "csrf=" .. os.getenv("KMO_CSRF") .. "&enterprise=0403.199.702"
  .. "&label_1=Boekhouden&kind_1=training&theme_1=financial_literacy&sub_theme_1=bookkeeping"
  .. "&start_1=" .. os.getenv("KMO_START_1") .. "&enrolled_1=&amount_1=12.000,00"
  .. "&label_2=Excel&kind_2=training&theme_2=digitalisation&sub_theme_2=software"
  .. "&start_2=" .. os.getenv("KMO_START_2") .. "&enrolled_2=&amount_2=9.000,00"
