
1s1.0"t*
time
:Àö×*
subjectsub:{"a":[1,2,{"b":null}]}